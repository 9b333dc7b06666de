// Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds space-separated
// `v1,<base64>` entries, each an HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the base64
// secret after its optional `whsec_` prefix. Inbound verification, and the gateway's own signer.
import { checkTolerance, fail, matchSecrets, parseTimestamp, splitEntries, splitPair } from "./common";
import { decodeBase64, encodeBase64, hmacSha256, importHmacKey, utf8 } from "./hmac";
import { joinPrefix } from "../bytes";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "standard-webhooks";
/** Longest `webhook-id` accepted; Standard Webhooks ids are short (`msg_` + 27 characters). */
const MAX_ID_LENGTH = 256;
/** Base64 of a 32-byte MAC, with its one `=` of padding. */
const MAC_BASE64_LENGTH = 44;

export async function verifyStandardWebhooks(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const id = input.headers.get("webhook-id");
  const timestamp = input.headers.get("webhook-timestamp");
  const signature = input.headers.get("webhook-signature");
  if (id === null || timestamp === null || signature === null) return fail("missing_header");
  if (id === "" || id.length > MAX_ID_LENGTH) return fail("malformed_header");

  const entries = splitEntries(signature, " ");
  if (entries === null) return fail("too_many_signatures");
  const candidates = v1Signatures(entries);
  if (candidates.length === 0) return fail("malformed_header");

  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "standard-webhooks",
    prefix: `${id}.${timestamp}.`,
    body: input.body,
    candidates,
  });
}

/** The decoded MACs of well-formed `v1` entries; other versions and malformed entries are skipped. */
function v1Signatures(entries: readonly string[]): Uint8Array[] {
  const macs: Uint8Array[] = [];
  for (const entry of entries) {
    const pair = splitPair(entry, ",");
    if (pair === null || pair[0] !== "v1" || pair[1].length !== MAC_BASE64_LENGTH) continue;
    const mac = decodeBase64(pair[1]);
    if (mac !== null && mac.length === 32) macs.push(mac);
  }
  return macs;
}

export interface SignStandardWebhookParams {
  /** The `webhook-id` value (the message id). */
  id: string;
  /** The `webhook-timestamp` value, unix seconds. */
  timestampS: number;
  /** The exact body bytes sent. */
  body: Uint8Array;
  /** The signing secrets, in rotation order. */
  secrets: readonly string[];
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` entry per secret, space separated, in
 * the order given ("" for no secrets; the caller then omits the header). Each secret is read like
 * Standard Webhooks: base64 after an optional `whsec_` prefix; a secret that is not valid base64
 * after the prefix is used as its UTF-8 bytes (whole string, prefix included), so any non-empty
 * string works as a signing secret. Throws on an empty secret or a timestamp that is not a
 * non-negative safe integer: both are configuration bugs.
 */
export async function signStandardWebhook(params: SignStandardWebhookParams): Promise<string> {
  if (!Number.isSafeInteger(params.timestampS) || params.timestampS < 0) {
    throw new RangeError(`webhook timestamp must be a non-negative integer: ${params.timestampS}`);
  }
  const signed = joinPrefix(utf8(`${params.id}.${params.timestampS}.`), params.body);
  const entries: string[] = [];
  for (const secret of params.secrets) {
    const key = await importHmacKey(secret, "standard-webhooks-or-utf8");
    if (key === null) throw new Error("a webhook signing secret is empty");
    entries.push(`v1,${encodeBase64(await hmacSha256(key, signed))}`);
  }
  return entries.join(" ");
}

export const standardWebhooks = defineScheme({
  name: NAME,
  verify: verifyStandardWebhooks,
  secretFormat: "whsec-base64",
  signatureHeaders: ["webhook-id", "webhook-timestamp", "webhook-signature"],
  deliveryId: { header: "webhook-id", signed: true },
  sign: async ({ secret, body, timestampS, id }) => ({
    "webhook-id": id,
    "webhook-timestamp": String(timestampS),
    "webhook-signature": await signStandardWebhook({ id, timestampS, body, secrets: [secret] }),
  }),
});
