// WooCommerce (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks): `X-WC-Webhook-Signature` is
// the base64 HMAC-SHA256 of the raw body with the webhook secret.
import { hmacPreset } from "./hmac-preset";

export const wooCommerce = hmacPreset({
  name: "woocommerce",
  header: "X-WC-Webhook-Signature",
  encoding: "base64",
  eventTypeHeader: "X-WC-Webhook-Topic",
  deliveryId: { header: "X-WC-Webhook-Delivery-ID", signed: false },
});
