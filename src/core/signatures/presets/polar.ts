// Polar (https://docs.polar.sh/integrate/webhooks/delivery): Standard Webhooks headers, but the key is the
// secret's UTF-8 bytes (Polar's SDK base64-encodes the secret before handing it to standardwebhooks).
import { hmacPreset } from "./hmac-preset";

export const polar = hmacPreset({
  name: "polar",
  header: "webhook-signature",
  encoding: "base64",
  list: { separator: " ", delimiter: ",", macKey: "v1" },
  timestamp: { header: "webhook-timestamp", format: "unix-s" },
  idHeader: "webhook-id",
  message: ({ id, timestamp }) => ({ prefix: `${id}.${timestamp}.` }),
  eventTypeField: "type",
  deliveryId: { header: "webhook-id", signed: true },
});
