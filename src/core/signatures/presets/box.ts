// Box (https://developer.box.com/guides/webhooks/v2/signatures-v2/): `BOX-SIGNATURE-PRIMARY` / `-SECONDARY` are
// base64 HMAC-SHA256 of the body followed by `BOX-DELIVERY-TIMESTAMP` (RFC 3339); either key may match.
// `BOX-SIGNATURE-VERSION: 1` and `BOX-SIGNATURE-ALGORITHM: HmacSHA256` are required, as Box's docs and SDK require them.
import { hmacPreset } from "./hmac-preset";

export const box = hmacPreset({
  name: "box",
  header: "BOX-SIGNATURE-PRIMARY",
  alternateHeader: "BOX-SIGNATURE-SECONDARY",
  encoding: "base64",
  fixedHeaders: { "BOX-SIGNATURE-VERSION": "1", "BOX-SIGNATURE-ALGORITHM": "HmacSHA256" },
  timestamp: { header: "BOX-DELIVERY-TIMESTAMP", format: "rfc3339" },
  message: ({ timestamp }) => ({ prefix: "", suffix: timestamp }),
  eventTypeField: "trigger",
  deliveryId: { header: "BOX-DELIVERY-ID", signed: false },
});
