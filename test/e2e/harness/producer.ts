// A webhook producer for end-to-end tests: signs Standard Webhooks requests with node:crypto and
// posts them to the gateway, returning the answer (status, JSON body, headers).
import { createHmac, randomUUID } from "node:crypto";

export interface SendOptions {
  /** Standard Webhooks secret (`whsec_...`) of the source. */
  secret: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The producer's `webhook-id` (default: a fresh one). */
  id?: string;
}

export interface Accepted {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export function signStandardWebhooks(secret: string, id: string, timestampS: number, body: Uint8Array): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampS}.`).update(body).digest("base64")}`;
}

export async function sendEvent(gatewayUrl: string, path: string, body: string | Uint8Array, options: SendOptions): Promise<Accepted> {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const id = options.id ?? `evt_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": options.contentType ?? "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(ts),
      "webhook-signature": signStandardWebhooks(options.secret, id, ts, bytes),
      ...options.headers,
    },
    body: bytes,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A 202's message id, or a thrown error describing the answer. */
export function messageIdOf(answer: Accepted): string {
  const id = answer.body["id"];
  if (answer.status !== 202 || typeof id !== "string") throw new Error(`expected 202 with an id, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return id;
}
