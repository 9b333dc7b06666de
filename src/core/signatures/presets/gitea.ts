// Gitea / Forgejo (https://docs.gitea.com/usage/webhooks): `X-Gitea-Signature` is the hex HMAC-SHA256 of the
// raw body with the webhook secret; `X-Gitea-Event` names the event.
import { hmacPreset } from "./hmac-preset";

export const gitea = hmacPreset({
  name: "gitea",
  header: "X-Gitea-Signature",
  encoding: "hex",
  eventTypeHeader: "X-Gitea-Event",
  deliveryId: { header: "X-Gitea-Delivery", signed: false },
});
