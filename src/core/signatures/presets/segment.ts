// Segment (https://segment.com/docs/connections/destinations/catalog/actions-webhook/): `X-Signature` is the hex
// HMAC-SHA1 of the raw body keyed with the shared secret.
import { hmacPreset } from "./hmac-preset";

export const segment = hmacPreset({
  name: "segment",
  hash: "SHA-1",
  header: "X-Signature",
  encoding: "hex",
  eventTypeField: "type",
  deliveryId: { bodyField: "messageId", signed: true },
});
