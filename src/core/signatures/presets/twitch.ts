// Twitch EventSub (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message):
// `Twitch-Eventsub-Message-Signature: sha256=<hex>`, the HMAC-SHA256 of message id + timestamp + body.
import { readDotPath as readBodyPath } from "../../routing";
import { hmacPreset } from "./hmac-preset";

export const twitch = hmacPreset({
  name: "twitch",
  header: "Twitch-Eventsub-Message-Signature",
  encoding: "hex",
  macPrefix: "sha256=",
  timestamp: { header: "Twitch-Eventsub-Message-Timestamp", format: "rfc3339" },
  idHeader: "Twitch-Eventsub-Message-Id",
  message: ({ id, timestamp }) => ({ prefix: `${id}${timestamp}` }),
  eventTypeHeader: "Twitch-Eventsub-Subscription-Type",
  deliveryId: { header: "Twitch-Eventsub-Message-Id", signed: true },
  handshake: (request) => {
    if (request.headers.get("twitch-eventsub-message-type") !== "webhook_callback_verification") return Promise.resolve(null);
    const challenge = readBodyPath(request.json(), "challenge");
    return Promise.resolve(challenge === undefined ? null : { status: 200, contentType: "text/plain", body: challenge });
  },
});
