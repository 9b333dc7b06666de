// Jira / Atlassian Cloud (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks):
// `X-Hub-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with the webhook secret.
import { hmacPreset } from "./hmac-preset";

export const jira = hmacPreset({
  name: "jira",
  header: "X-Hub-Signature",
  encoding: "hex",
  macPrefix: "sha256=",
  eventTypeField: "webhookEvent",
  deliveryId: { header: "X-Atlassian-Webhook-Identifier", signed: false },
});
