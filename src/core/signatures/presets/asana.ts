// Asana (https://developers.asana.com/docs/webhooks-guide): `X-Hook-Signature` is the hex HMAC-SHA256 of the
// raw body keyed with the secret Asana sent once in `X-Hook-Secret`.
import { hmacPreset } from "./hmac-preset";
import { echoAsanaSecret } from "./registration";

export const asana = hmacPreset({
  name: "asana",
  header: "X-Hook-Signature",
  encoding: "hex",
  registration: ({ method, headers }) => echoAsanaSecret(method, headers),
});
