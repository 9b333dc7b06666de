// Zoom (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events): `x-zm-signature: v0=<hex>`, the
// HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{body}`. `endpoint.url_validation` is answered here.
import { producerMac } from "../common";
import { toHex } from "../hmac";
import { readDotPath as readBodyPath } from "../../routing";
import { hmacPreset } from "./hmac-preset";

export const zoom = hmacPreset({
  name: "zoom",
  header: "x-zm-signature",
  encoding: "hex",
  macPrefix: "v0=",
  timestamp: { header: "x-zm-request-timestamp", format: "unix-s" },
  message: ({ timestamp }) => ({ prefix: `v0:${timestamp}:` }),
  eventTypeField: "event",
  handshake: async (request) => {
    const json = request.json();
    if (readBodyPath(json, "event") !== "endpoint.url_validation") return null;
    const plainToken = readBodyPath(json, "payload.plainToken");
    // The request verified, so a secret exists; the first one answers (Zoom keeps one secret token).
    const [secret] = request.secrets;
    if (plainToken === undefined || secret === undefined) return null;
    const encryptedToken = toHex(await producerMac(secret, "utf8", plainToken, new Uint8Array(0)));
    return { status: 200, contentType: "application/json", body: JSON.stringify({ plainToken, encryptedToken }) };
  },
});
