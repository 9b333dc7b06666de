// Lemon Squeezy (https://docs.lemonsqueezy.com/help/webhooks/signing-requests): `X-Signature` is the hex
// HMAC-SHA256 of the raw body with the signing secret; `X-Event-Name` names the event. No timestamp.
import { hmacPreset } from "./hmac-preset";

export const lemonSqueezy = hmacPreset({
  name: "lemonsqueezy",
  header: "X-Signature",
  encoding: "hex",
  eventTypeHeader: "X-Event-Name",
});
