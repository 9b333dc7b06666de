// Dropbox (https://www.dropbox.com/developers/reference/webhooks): `X-Dropbox-Signature` is the hex HMAC-SHA256
// of the raw body keyed with the app secret.
import { hmacPreset } from "./hmac-preset";
import { echoQueryChallenge } from "./registration";

export const dropbox = hmacPreset({
  name: "dropbox",
  header: "X-Dropbox-Signature",
  encoding: "hex",
  registration: ({ method, url }) => echoQueryChallenge(method, url),
});
