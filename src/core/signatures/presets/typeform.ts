// Typeform (https://www.typeform.com/developers/webhooks/secure-your-webhooks/): `Typeform-Signature:
// sha256=<base64>`, the HMAC-SHA256 of the raw body keyed with the webhook secret.
import { hmacPreset } from "./hmac-preset";

export const typeform = hmacPreset({
  name: "typeform",
  header: "Typeform-Signature",
  encoding: "base64",
  macPrefix: "sha256=",
  eventTypeField: "event_type",
  deliveryId: { bodyField: "event_id", signed: true },
});
