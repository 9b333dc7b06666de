// Vercel (https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks): `x-vercel-signature` is the hex
// HMAC-SHA1 of the raw body keyed with the webhook secret.
import { hmacPreset } from "./hmac-preset";

export const vercel = hmacPreset({
  name: "vercel",
  hash: "SHA-1",
  header: "x-vercel-signature",
  encoding: "hex",
  eventTypeField: "type",
  deliveryId: { bodyField: "id", signed: true },
});
