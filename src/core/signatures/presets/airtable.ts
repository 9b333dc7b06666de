// Airtable (https://airtable.com/developers/web/api/webhooks-overview): `X-Airtable-Content-MAC:
// hmac-sha256=<hex>`, the HMAC-SHA256 of the body keyed with the base64-decoded `macSecretBase64`.
import { hmacPreset } from "./hmac-preset";

export const airtable = hmacPreset({
  name: "airtable",
  key: "base64",
  header: "X-Airtable-Content-MAC",
  encoding: "hex",
  macPrefix: "hmac-sha256=",
});
