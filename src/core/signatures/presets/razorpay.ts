// Razorpay (https://razorpay.com/docs/webhooks/validate-test/): `X-Razorpay-Signature` is the hex HMAC-SHA256
// of the raw body with the webhook secret; `x-razorpay-event-id` names the delivery.
import { hmacPreset } from "./hmac-preset";

export const razorpay = hmacPreset({
  name: "razorpay",
  header: "X-Razorpay-Signature",
  encoding: "hex",
  eventTypeField: "event",
  deliveryId: { header: "x-razorpay-event-id", signed: false },
});
