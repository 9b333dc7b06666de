// DocuSign Connect (https://developers.docusign.com/platform/webhooks/connect/hmac/): `X-DocuSign-Signature-1`
// is the base64 HMAC-SHA256 of the raw body keyed with the Connect HMAC key.
import { hmacPreset } from "./hmac-preset";

export const docusign = hmacPreset({
  name: "docusign",
  header: "X-DocuSign-Signature-1",
  alternateHeader: "X-DocuSign-Signature-2",
  encoding: "base64",
  eventTypeField: "event",
});
