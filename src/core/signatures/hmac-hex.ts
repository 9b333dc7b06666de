// `hmac-sha256-hex`, the source document's scheme: `X-Signature` is the hex HMAC-SHA256 of
// the raw body keyed with the secret's UTF-8 bytes (a `sha256=` prefix allowed), and `X-Timestamp`
// (unix seconds) must be within tolerance. The MAC does not cover the timestamp.
import { checkTolerance, fail, matchSecrets, parseTimestamp, producerMac } from "./common";
import { decodeHex, toHex } from "./hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "hmac-sha256-hex";
const PREFIX = "sha256=";

export async function verifyHmacSha256Hex(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get("x-signature");
  const timestamp = input.headers.get("x-timestamp");
  if (signature === null || timestamp === null) return fail("missing_header");

  const hex = signature.slice(0, PREFIX.length).toLowerCase() === PREFIX ? signature.slice(PREFIX.length) : signature;
  const mac = hex.length === 64 ? decodeHex(hex) : null;
  if (mac === null) return fail("malformed_header");

  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "utf8",
    prefix: "",
    body: input.body,
    candidates: [mac],
  });
}

export const hmacSha256Hex = defineScheme({
  name: NAME,
  verify: verifyHmacSha256Hex,
  secretFormat: "text",
  signatureHeaders: ["x-signature", "x-timestamp"],
  sign: async ({ secret, body, timestampS }) => ({
    "X-Signature": toHex(await producerMac(secret, "utf8", "", body)),
    "X-Timestamp": String(timestampS),
  }),
});
