// Notion (https://developers.notion.com/reference/webhooks): `X-Notion-Signature: sha256=<hex>`, the HMAC-SHA256
// of the raw body keyed with the subscription's verification token.
import { hmacPreset } from "./hmac-preset";

export const notion = hmacPreset({
  name: "notion",
  header: "X-Notion-Signature",
  encoding: "hex",
  macPrefix: "sha256=",
  eventTypeField: "type",
  deliveryId: { bodyField: "id", signed: true },
});
