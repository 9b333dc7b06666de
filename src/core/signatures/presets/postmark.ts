// Postmark (https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook): HTTP basic
// auth; the secret binding holds `user:password` and `Authorization` must be `Basic base64(user:password)`.
import { encodeBase64, utf8 } from "../hmac";
import { tokenPreset } from "./token-preset";

export const postmark = tokenPreset({
  name: "postmark",
  header: "Authorization",
  expected: (secret) => `Basic ${encodeBase64(utf8(secret))}`,
  eventTypeField: "RecordType",
  deliveryId: { bodyField: "MessageID", signed: false },
});
