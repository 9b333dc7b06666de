// Mux (https://docs.mux.com/core/verify-webhook-signatures): `Mux-Signature: t=<unix>,v1=<hex>`, the
// HMAC-SHA256 of `{t}.{body}` with the signing secret.
import { hmacPreset } from "./hmac-preset";

export const mux = hmacPreset({
  name: "mux",
  header: "Mux-Signature",
  encoding: "hex",
  list: { separator: ",", delimiter: "=", macKey: "v1", timestampKey: "t" },
  timestamp: { format: "unix-s" },
  message: ({ timestamp }) => ({ prefix: `${timestamp}.` }),
  eventTypeField: "type",
  deliveryId: { bodyField: "id", signed: true },
});
