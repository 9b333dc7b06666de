// Coinbase Commerce (https://docs.cdp.coinbase.com/commerce-onchain/docs/webhooks-security): `X-CC-Webhook-Signature`
// is the hex HMAC-SHA256 of the raw body with the shared secret.
import { hmacPreset } from "./hmac-preset";

export const coinbaseCommerce = hmacPreset({
  name: "coinbase-commerce",
  header: "X-CC-Webhook-Signature",
  encoding: "hex",
  eventTypeField: "event.type",
  deliveryId: { bodyField: "event.id", signed: true },
});
