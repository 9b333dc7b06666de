// Xero (https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/): `x-xero-signature`
// is the base64 HMAC-SHA256 of the raw body with the webhook key (its intent-to-receive check is a 401).
import { hmacPreset } from "./hmac-preset";

export const xero = hmacPreset({
  name: "xero",
  header: "x-xero-signature",
  encoding: "base64",
});
