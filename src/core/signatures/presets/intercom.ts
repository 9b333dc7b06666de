// Intercom (https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications):
// `X-Hub-Signature: sha1=<hex>`, the HMAC-SHA1 of the raw body keyed with the app's client secret.
import { hmacPreset } from "./hmac-preset";

export const intercom = hmacPreset({
  name: "intercom",
  hash: "SHA-1",
  header: "X-Hub-Signature",
  encoding: "hex",
  macPrefix: "sha1=",
  eventTypeField: "topic",
  deliveryId: { bodyField: "id", signed: true },
});
