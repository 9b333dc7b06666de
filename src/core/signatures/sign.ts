// Producer-side signing for every scheme, as the providers do it: what `npm run demo`, the tests and
// the benchmark send. Pure (Web Crypto); the message id and the time come in as arguments.
import { schemeOf, type SchemeName } from "./registry";
import type { SignInput } from "./types";

export interface ProducerRequest extends SignInput {
  /**
   * Also send the provider's delivery-id header (`X-GitHub-Delivery`, `X-Shopify-Webhook-Id`) with
   * `id` as its value, as the provider itself would; off by default.
   */
  deliveryIdHeader?: boolean;
}

/** The headers a correct producer of `scheme` sends with `request.body`. */
export async function producerHeaders(scheme: SchemeName, request: ProducerRequest): Promise<Record<string, string>> {
  const descriptor = schemeOf(scheme);
  const headers = await descriptor.sign(request);
  const deliveryId = descriptor.deliveryId;
  if (request.deliveryIdHeader === true && deliveryId !== undefined && "header" in deliveryId) headers[deliveryId.header] ??= request.id;
  return headers;
}

/** The body a correct producer of `scheme` sends: `request.body`, or with the signature written in. */
export function producerBody(scheme: SchemeName, request: SignInput): Promise<Uint8Array> {
  const signBody = schemeOf(scheme).signBody;
  return signBody === undefined ? Promise.resolve(request.body) : signBody(request);
}
