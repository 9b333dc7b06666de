// HubSpot v3 (https://developers.hubspot.com/docs/api/webhooks/validating-requests): `X-HubSpot-Signature-v3`
// is the base64 HMAC-SHA256 of method + URI + body + `X-HubSpot-Request-Timestamp` (unix ms), where the
// URI has the twelve percent-encodings of HubSpot's table (`%3A` `%2F` `%3F` `%40` ... `%3B`) decoded.
import { hmacPreset } from "./hmac-preset";

const DECODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The request URI as HubSpot signs it: only the characters of its table decoded, every other escape kept. */
function signedUri(url: string): string {
  return url.replace(DECODED, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export const hubspot = hmacPreset({
  name: "hubspot",
  header: "X-HubSpot-Signature-v3",
  encoding: "base64",
  timestamp: { header: "X-HubSpot-Request-Timestamp", format: "unix-ms" },
  signsUrl: true,
  message: ({ method, url, timestamp }) => ({ prefix: `${method}${signedUri(url)}`, suffix: timestamp }),
});
