// Zendesk (https://developer.zendesk.com/documentation/webhooks/verifying/): `X-Zendesk-Webhook-Signature` is the
// base64 HMAC-SHA256 of `X-Zendesk-Webhook-Signature-Timestamp` (RFC 3339) followed by the body.
import { hmacPreset } from "./hmac-preset";

export const zendesk = hmacPreset({
  name: "zendesk",
  header: "X-Zendesk-Webhook-Signature",
  encoding: "base64",
  timestamp: { header: "X-Zendesk-Webhook-Signature-Timestamp", format: "rfc3339" },
  message: ({ timestamp }) => ({ prefix: timestamp }),
  eventTypeField: "type",
  deliveryId: { bodyField: "id", signed: true },
});
