// Square (https://developer.squareup.com/docs/webhooks/step3validate): `x-square-hmacsha256-signature` is the
// base64 HMAC-SHA256 of the notification URL followed by the raw body, keyed with the signature key.
import { hmacPreset } from "./hmac-preset";

export const square = hmacPreset({
  name: "square",
  header: "x-square-hmacsha256-signature",
  encoding: "base64",
  signsUrl: true,
  message: ({ url }) => ({ prefix: url }),
  eventTypeField: "type",
  deliveryId: { bodyField: "event_id", signed: true },
});
