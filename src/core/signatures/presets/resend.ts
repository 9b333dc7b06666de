// Resend (https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests): delivered by Svix, so
// `svix-id`, `svix-timestamp`, `svix-signature` (`v1,<base64>` over `{id}.{timestamp}.{body}`, whsec_ key).
import { hmacPreset } from "./hmac-preset";

export const resend = hmacPreset({
  name: "resend",
  key: "standard-webhooks",
  secretFormat: "whsec-base64",
  header: "svix-signature",
  encoding: "base64",
  list: { separator: " ", delimiter: ",", macKey: "v1" },
  timestamp: { header: "svix-timestamp", format: "unix-s" },
  idHeader: "svix-id",
  message: ({ id, timestamp }) => ({ prefix: `${id}.${timestamp}.` }),
  eventTypeField: "type",
  deliveryId: { header: "svix-id", signed: true },
});
