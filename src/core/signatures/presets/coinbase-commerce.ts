// Coinbase Commerce (https://docs.cdp.coinbase.com/commerce-onchain/docs/webhooks-security): `X-CC-Webhook-Signature`
// is the hex HMAC-SHA256 of the raw body with the shared secret.
import { hmacPreset } from "./hmac-preset";

export const coinbaseCommerce = hmacPreset({
  name: "coinbase-commerce",
  doc: { provider: "Coinbase Commerce", algorithm: "HMAC-SHA256, hex", signed: "{body}", docs: "https://docs.cdp.coinbase.com/commerce-onchain/docs/webhooks-security" },
  header: "X-CC-Webhook-Signature",
  encoding: "hex",
  eventTypeField: "event.type",
  deliveryId: { bodyField: "event.id", signed: true },
});
