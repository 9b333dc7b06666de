// Okta event hooks (https://developer.okta.com/docs/concepts/event-hooks/): the `Authorization` header carries
// the secret value configured on the hook; the body is not signed. Event id `eventId`.
import { tokenPreset } from "./token-preset";
import { echoOktaChallenge } from "./registration";

export const okta = tokenPreset({
  name: "okta",
  header: "Authorization",
  expected: (secret) => secret,
  eventTypeField: "eventType",
  deliveryId: { bodyField: "eventId", signed: false },
  registration: ({ method, headers }) => echoOktaChallenge(method, headers),
});
