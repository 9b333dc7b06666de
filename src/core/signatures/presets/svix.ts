// Svix (https://docs.svix.com/receiving/verifying-payloads/how-manual): Standard Webhooks under `svix-` headers:
// `svix-signature` holds `v1,<base64>` entries over `{svix-id}.{svix-timestamp}.{body}`, key base64 after `whsec_`.
import { hmacPreset } from "./hmac-preset";

export const svix = hmacPreset({
  name: "svix",
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
