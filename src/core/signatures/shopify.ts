// Shopify (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook):
// `X-Shopify-Hmac-Sha256: <base64>`, the HMAC-SHA256 of the raw body keyed with the secret's UTF-8
// bytes. Shopify sends no signed timestamp, so the tolerance does not apply. Newer deliveries name it
// `shopify-hmac-sha256` (no `X-`; Shopify's own libraries read that first), so either header is read.
import { fail, matchSecrets, producerMac } from "./common";
import { decodeBase64, encodeBase64 } from "./hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "shopify";
/** Base64 of a 32-byte MAC, with its one `=` of padding. */
const MAC_BASE64_LENGTH = 44;

export async function verifyShopify(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get("shopify-hmac-sha256") ?? input.headers.get("x-shopify-hmac-sha256");
  if (signature === null) return fail("missing_header");

  const mac = signature.length === MAC_BASE64_LENGTH ? decodeBase64(signature) : null;
  if (mac === null || mac.length !== 32) return fail("malformed_header");

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "utf8",
    prefix: "",
    body: input.body,
    candidates: [mac],
  });
}

export const shopify = defineScheme({
  name: NAME,
  verify: verifyShopify,
  secretFormat: "text",
  signatureHeaders: ["x-shopify-hmac-sha256", "shopify-hmac-sha256"],
  eventTypeHeader: "X-Shopify-Topic",
  deliveryId: { header: "X-Shopify-Webhook-Id", signed: false },
  sign: async ({ secret, body }) => ({ "X-Shopify-Hmac-Sha256": encodeBase64(await producerMac(secret, "utf8", "", body)) }),
});
