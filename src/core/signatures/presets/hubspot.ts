// HubSpot v3 (https://developers.hubspot.com/docs/api/webhooks/validating-requests): `X-HubSpot-Signature-v3`
// is the base64 HMAC-SHA256 of method + URL + body + `X-HubSpot-Request-Timestamp` (unix ms).
import { hmacPreset } from "./hmac-preset";

export const hubspot = hmacPreset({
  name: "hubspot",
  header: "X-HubSpot-Signature-v3",
  encoding: "base64",
  timestamp: { header: "X-HubSpot-Request-Timestamp", format: "unix-ms" },
  signsUrl: true,
  message: ({ method, url, timestamp }) => ({ prefix: `${method}${url}`, suffix: timestamp }),
});
