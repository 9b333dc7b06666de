// Stripe (https://docs.stripe.com/webhooks#verify-manually): `Stripe-Signature:
// t=<ts>,v1=<hex>[,v1=...]` where each v1 is the HMAC-SHA256 of `{t}.{body}` keyed with the whole
// secret string (`whsec_...`) as UTF-8. Other schemes (v0) are ignored.
import { checkTolerance, fail, matchSecrets, parseTimestamp, producerMac, splitEntries, splitPair } from "./common";
import { decodeHex, toHex } from "./hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "stripe";

export async function verifyStripe(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const header = input.headers.get("stripe-signature");
  if (header === null) return fail("missing_header");

  const entries = splitEntries(header, ",");
  if (entries === null) return fail("too_many_signatures");
  const timestamps: string[] = [];
  const candidates: Uint8Array[] = [];
  for (const entry of entries) {
    const pair = splitPair(entry, "=");
    if (pair === null) continue;
    const [name, value] = pair;
    if (name === "t") timestamps.push(value);
    if (name === "v1" && value.length === 64) {
      const mac = decodeHex(value);
      if (mac !== null) candidates.push(mac);
    }
  }
  const [timestamp] = timestamps;
  if (timestamp === undefined || timestamps.length > 1 || candidates.length === 0) {
    return fail("malformed_header");
  }

  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "utf8",
    prefix: `${timestamp}.`,
    body: input.body,
    candidates,
  });
}

export const stripe = defineScheme({
  name: NAME,
  verify: verifyStripe,
  secretFormat: "text",
  signatureHeaders: ["stripe-signature"],
  // The event id sits in the signed body.
  deliveryId: { bodyField: "id", signed: true },
  sign: async ({ secret, body, timestampS }) => ({
    "Stripe-Signature": `t=${timestampS},v1=${toHex(await producerMac(secret, "utf8", `${timestampS}.`, body))}`,
  }),
});
