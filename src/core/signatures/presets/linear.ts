// Linear (https://linear.app/developers/webhooks#securing-webhooks): `Linear-Signature` is the hex HMAC-SHA256
// of the raw body; `Linear-Event` names the event and `Linear-Delivery` the delivery.
import { hmacPreset } from "./hmac-preset";

export const linear = hmacPreset({
  name: "linear",
  header: "Linear-Signature",
  encoding: "hex",
  eventTypeHeader: "Linear-Event",
  deliveryId: { header: "Linear-Delivery", signed: false },
});
