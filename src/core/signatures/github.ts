// GitHub (https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries):
// `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the secret's UTF-8
// bytes. GitHub sends no timestamp, so the tolerance does not apply.
import { fail, matchSecrets, producerMac } from "./common";
import { decodeHex, toHex } from "./hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "github";
const PREFIX = "sha256=";

export async function verifyGitHub(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get("x-hub-signature-256");
  if (signature === null) return fail("missing_header");

  const hex = signature.startsWith(PREFIX) ? signature.slice(PREFIX.length) : null;
  const mac = hex !== null && hex.length === 64 ? decodeHex(hex) : null;
  if (mac === null) return fail("malformed_header");

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "utf8",
    prefix: "",
    body: input.body,
    candidates: [mac],
  });
}

export const github = defineScheme({
  name: NAME,
  verify: verifyGitHub,
  secretFormat: "text",
  // X-Hub-Signature is GitHub's legacy SHA-1 signature of the same body.
  signatureHeaders: ["x-hub-signature-256", "x-hub-signature"],
  eventTypeHeader: "X-GitHub-Event",
  deliveryId: { header: "X-GitHub-Delivery", signed: false },
  sign: async ({ secret, body }) => ({ "X-Hub-Signature-256": `${PREFIX}${toHex(await producerMac(secret, "utf8", "", body))}` }),
});
