// Inbound Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds
// space-separated `v1,<base64>` entries, each an HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with
// the base64 secret after its optional `whsec_` prefix.
import { checkTolerance, fail, matchSecrets, parseTimestamp, splitEntries, splitPair } from "./common";
import { decodeBase64 } from "./hmac";
import type { VerifyInput, VerifyResult } from "./types";

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
    scheme: "standard-webhooks",
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
