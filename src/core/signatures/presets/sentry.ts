// Sentry (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/): `Sentry-Hook-Signature`
// is the hex HMAC-SHA256 of the raw body with the client secret; `Sentry-Hook-Resource` names the resource.
import { hmacPreset } from "./hmac-preset";

export const sentry = hmacPreset({
  name: "sentry",
  header: "Sentry-Hook-Signature",
  encoding: "hex",
  eventTypeHeader: "Sentry-Hook-Resource",
  deliveryId: { header: "Request-ID", signed: false },
});
