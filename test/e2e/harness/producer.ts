// A webhook producer for end-to-end tests: signs Standard Webhooks requests with the shared producer
// signer and posts them to the gateway, returning the answer (status, JSON body, headers).
import { randomUUID } from "node:crypto";
import { producerHeaders } from "../../../src/core/signatures";

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

export async function sendEvent(gatewayUrl: string, path: string, body: string | Uint8Array, options: SendOptions): Promise<Accepted> {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const id = options.id ?? `evt_${randomUUID()}`;
  const signed = await producerHeaders("standard-webhooks", { secret: options.secret, body: bytes, timestampS: Math.floor(Date.now() / 1000), id });
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": options.contentType ?? "application/json", ...signed, ...options.headers },
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
