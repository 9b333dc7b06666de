// Trello (https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/): `X-Trello-Webhook` is the base64
// HMAC-SHA1 of the body followed by the callback URL, keyed with the application secret.
import { hmacPreset } from "./hmac-preset";
import { answerHead } from "./registration";

export const trello = hmacPreset({
  name: "trello",
  doc: {
    provider: "Trello",
    algorithm: "HMAC-SHA1, base64",
    signed: "{body}{url}",
    handshake: "HEAD: 200",
    docs: "https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/",
  },
  hash: "SHA-1",
  header: "X-Trello-Webhook",
  encoding: "base64",
  signsUrl: true,
  message: ({ url }) => ({ prefix: "", suffix: url }),
  eventTypeField: "action.type",
  deliveryId: { bodyField: "action.id", signed: true },
  registration: ({ method }) => answerHead(method),
});
