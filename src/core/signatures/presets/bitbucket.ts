// Bitbucket Cloud (https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/): `X-Hub-Signature:
// sha256=<hex>`, the HMAC-SHA256 of the raw body; `X-Event-Key` names the event.
import { hmacPreset } from "./hmac-preset";

export const bitbucket = hmacPreset({
  name: "bitbucket",
  header: "X-Hub-Signature",
  encoding: "hex",
  macPrefix: "sha256=",
  eventTypeHeader: "X-Event-Key",
  deliveryId: { header: "X-Request-UUID", signed: false },
});
