// Trello (https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/): `X-Trello-Webhook` is the base64
// HMAC-SHA1 of the body followed by the callback URL, keyed with the application secret.
import { hmacPreset } from "./hmac-preset";
import { answerHead } from "./registration";

export const trello = hmacPreset({
  name: "trello",
  hash: "SHA-1",
  header: "X-Trello-Webhook",
  encoding: "base64",
  signsUrl: true,
  message: ({ url }) => ({ prefix: "", suffix: url }),
  eventTypeField: "action.type",
  deliveryId: { bodyField: "action.id", signed: true },
  registration: ({ method }) => answerHead(method),
});
