// Box (https://developer.box.com/guides/webhooks/v2/signatures-v2/): `BOX-SIGNATURE-PRIMARY` / `-SECONDARY` are
// base64 HMAC-SHA256 of the body followed by `BOX-DELIVERY-TIMESTAMP` (RFC 3339); either key may match.
import { hmacPreset } from "./hmac-preset";

export const box = hmacPreset({
  name: "box",
  header: "BOX-SIGNATURE-PRIMARY",
  alternateHeader: "BOX-SIGNATURE-SECONDARY",
  encoding: "base64",
  timestamp: { header: "BOX-DELIVERY-TIMESTAMP", format: "rfc3339" },
  message: ({ timestamp }) => ({ prefix: "", suffix: timestamp }),
  eventTypeField: "trigger",
  deliveryId: { header: "BOX-DELIVERY-ID", signed: false },
});
