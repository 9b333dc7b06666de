// Paddle Billing (https://developer.paddle.com/webhooks/signature-verification): `Paddle-Signature:
// ts=<unix>;h1=<hex>`, the HMAC-SHA256 of `{ts}:{body}` with the endpoint secret key.
import { hmacPreset } from "./hmac-preset";

export const paddle = hmacPreset({
  name: "paddle",
  header: "Paddle-Signature",
  encoding: "hex",
  list: { separator: ";", delimiter: "=", macKey: "h1", timestampKey: "ts" },
  timestamp: { format: "unix-s" },
  message: ({ timestamp }) => ({ prefix: `${timestamp}:` }),
  eventTypeField: "event_type",
  deliveryId: { bodyField: "event_id", signed: true },
});
