// SendGrid Event Webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features):
// `X-Twilio-Email-Event-Webhook-Signature` is a base64 DER ECDSA P-256/SHA-256 signature of the timestamp
// header + body, under the base64 SPKI public key SendGrid shows (from the binding).
import { decodeBase64, encodeBase64 } from "../hmac";
import { derToRaw, rawToDer } from "./ecdsa-der";
import { publicKeyPreset } from "./public-key";

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;

export const sendgrid = publicKeyPreset({
  name: "sendgrid",
  signatureHeader: "X-Twilio-Email-Event-Webhook-Signature",
  timestampHeader: "X-Twilio-Email-Event-Webhook-Timestamp",
  algorithm: { name: "ECDSA", hash: "SHA-256" },
  decodeSignature: (text) => {
    const der = decodeBase64(text);
    return der === null ? null : derToRaw(der, 32);
  },
  encodeSignature: (raw) => encodeBase64(rawToDer(raw)),
  importPublic: async (text) => {
    const spki = decodeBase64(text);
    return spki === null ? null : crypto.subtle.importKey("spki", spki, EC, false, ["verify"]);
  },
  importPrivate: async (text) => {
    const pkcs8 = decodeBase64(text);
    if (pkcs8 === null) throw new Error("a sendgrid signing key must be base64 PKCS#8");
    return crypto.subtle.importKey("pkcs8", pkcs8, EC, false, ["sign"]);
  },
});
