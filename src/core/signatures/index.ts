// The signature layer's entry points: `verifySignature` runs an inbound request through its
// scheme's descriptor; `signStandardWebhook` produces the `webhook-signature` header for deliveries.
import { schemeOf, type SchemeName } from "./registry";
import type { VerifyInput, VerifyResult } from "./types";

export type { SchemeDescriptor, SignInput, VerifyFailure, VerifyInput, VerifyResult } from "./types";
export { DELIVERY_ID_HEADERS, SCHEME_NAMES, SIGNATURE_HEADERS, schemeOf, takesSecrets, type SchemeName } from "./registry";
export { producerBody, producerHeaders, type ProducerRequest } from "./sign";
export { sha256Hex } from "./hmac";
export { signStandardWebhook, verifyStandardWebhooks, type SignStandardWebhookParams } from "./standard-webhooks";
export { verifyGitHub } from "./github";
export { verifyHmacSha256Hex } from "./hmac-hex";
export { verifyShopify } from "./shopify";
export { verifySlack } from "./slack";
export { verifyStripe } from "./stripe";

/** Verifies `input` under `scheme`. Resolves for any header content; never rejects on bad input. */
export function verifySignature(scheme: SchemeName, input: VerifyInput): Promise<VerifyResult> {
  return schemeOf(scheme).verify(input);
}
