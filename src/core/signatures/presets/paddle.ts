// Paddle Billing (https://developer.paddle.com/webhooks/signature-verification): `Paddle-Signature:
// ts=<unix>;h1=<hex>`, the HMAC-SHA256 of `{ts}:{body}` with the endpoint secret key.
import { hmacPreset } from "./hmac-preset";

export const paddle = hmacPreset({
  name: "paddle",
  doc: { provider: "Paddle", algorithm: "HMAC-SHA256, hex", signed: "{ts}:{body}", docs: "https://developer.paddle.com/webhooks/signature-verification" },
  header: "Paddle-Signature",
  encoding: "hex",
  list: { separator: ";", delimiter: "=", macKey: "h1", timestampKey: "ts" },
  timestamp: { format: "unix-s" },
  message: ({ timestamp }) => ({ prefix: `${timestamp}:` }),
  eventTypeField: "event_type",
  deliveryId: { bodyField: "event_id", signed: true },
});
