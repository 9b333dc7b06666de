// Clerk (https://clerk.com/docs/webhooks/sync-data): delivered by Svix, so `svix-id`, `svix-timestamp`,
// `svix-signature` (`v1,<base64>` over `{id}.{timestamp}.{body}`, key base64 after `whsec_`).
import { hmacPreset } from "./hmac-preset";

export const clerk = hmacPreset({
  name: "clerk",
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
