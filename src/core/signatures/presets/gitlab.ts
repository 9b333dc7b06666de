// GitLab (https://docs.gitlab.com/user/project/integrations/webhooks/#validate-payloads-by-using-a-secret-token):
// `X-Gitlab-Token` carries the secret token itself; GitLab signs nothing.
import { tokenPreset } from "./token-preset";

export const gitlab = tokenPreset({
  name: "gitlab",
  header: "X-Gitlab-Token",
  expected: (secret) => secret,
  eventTypeHeader: "X-Gitlab-Event",
  deliveryId: { header: "X-Gitlab-Event-UUID", signed: false },
});
