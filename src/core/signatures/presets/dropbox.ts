// Dropbox (https://www.dropbox.com/developers/reference/webhooks): `X-Dropbox-Signature` is the hex HMAC-SHA256
// of the raw body keyed with the app secret.
import { hmacPreset } from "./hmac-preset";
import { echoQueryChallenge } from "./registration";

export const dropbox = hmacPreset({
  name: "dropbox",
  doc: {
    provider: "Dropbox",
    algorithm: "HMAC-SHA256, hex",
    signed: "{body}",
    handshake: "GET ?challenge=: echo it (text/plain)",
    docs: "https://www.dropbox.com/developers/reference/webhooks",
  },
  header: "X-Dropbox-Signature",
  encoding: "hex",
  registration: ({ method, url }) => echoQueryChallenge(method, url),
});
