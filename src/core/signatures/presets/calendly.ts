// Calendly (https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures): `Calendly-Webhook-Signature:
// t=<unix>,v1=<hex>`, the HMAC-SHA256 of `{t}.{body}` with the signing key.
import { hmacPreset } from "./hmac-preset";

export const calendly = hmacPreset({
  name: "calendly",
  header: "Calendly-Webhook-Signature",
  encoding: "hex",
  list: { separator: ",", delimiter: "=", macKey: "v1", timestampKey: "t" },
  timestamp: { format: "unix-s" },
  message: ({ timestamp }) => ({ prefix: `${timestamp}.` }),
  eventTypeField: "event",
});
