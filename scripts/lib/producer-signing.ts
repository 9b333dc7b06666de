// Producer-side signing in Node for each verification scheme, as the providers do it: used by
// `npm run demo`, the end-to-end tests and the benchmark. Independent of the gateway's own code.
import { createHmac, randomUUID } from "node:crypto";

export type ProducerScheme = "standard-webhooks" | "hmac-sha256-hex" | "stripe" | "github" | "shopify" | "slack" | "none";

function mac(key: string | Buffer, ...parts: (string | Uint8Array)[]): Buffer {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Headers a correct producer sends for `body` at `nowS` (unix seconds). */
export function signHeaders(scheme: ProducerScheme, secret: string, body: Uint8Array, nowS = Math.floor(Date.now() / 1000), id = `msg_${randomUUID()}`): Record<string, string> {
  switch (scheme) {
    case "standard-webhooks": {
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      return { "webhook-id": id, "webhook-timestamp": String(nowS), "webhook-signature": `v1,${mac(key, `${id}.${nowS}.`, body).toString("base64")}` };
    }
    case "hmac-sha256-hex":
      return { "X-Signature": `sha256=${mac(secret, body).toString("hex")}`, "X-Timestamp": String(nowS) };
    case "stripe":
      return { "Stripe-Signature": `t=${nowS},v1=${mac(secret, `${nowS}.`, body).toString("hex")}` };
    case "github":
      return { "X-Hub-Signature-256": `sha256=${mac(secret, body).toString("hex")}`, "X-GitHub-Delivery": randomUUID() };
    case "shopify":
      return { "X-Shopify-Hmac-Sha256": mac(secret, body).toString("base64"), "X-Shopify-Webhook-Id": randomUUID() };
    case "slack":
      return { "X-Slack-Signature": `v0=${mac(secret, `v0:${nowS}:`, body).toString("hex")}`, "X-Slack-Request-Timestamp": String(nowS) };
    case "none":
      return {};
  }
}
