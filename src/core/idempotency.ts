// Which idempotency key a request carries (CONTRACT §2): X-Idempotency-Key, the source's own header,
// webhook-id, then the provider's delivery id. Also the shard of the dedup store a key lives in.

export const IDEMPOTENCY_SHARDS = 64;
const KEY = /^[\x21-\x7e]{1,255}$/;

export type KeyResult = { kind: "none" } | { kind: "key"; key: string; from: string } | { kind: "invalid"; header: string };

export interface KeySources {
  headers: Headers;
  idempotencyHeader: string | undefined;
  scheme: string;
  /** Lazily parsed JSON body (for Stripe's event id). */
  json: () => unknown;
}

export function findIdempotencyKey(s: KeySources): KeyResult {
  const candidates = ["X-Idempotency-Key", s.idempotencyHeader, "webhook-id", "X-GitHub-Delivery", "X-Shopify-Webhook-Id"];
  for (const header of candidates) {
    if (header === undefined) continue;
    const value = s.headers.get(header);
    if (value === null) continue;
    const trimmed = value.trim();
    if (!KEY.test(trimmed)) return { kind: "invalid", header };
    return { kind: "key", key: trimmed, from: header };
  }
  if (s.scheme === "stripe") {
    const json = s.json();
    if (json !== null && typeof json === "object" && !Array.isArray(json)) {
      const id = (json as Record<string, unknown>)["id"];
      if (typeof id === "string" && KEY.test(id)) return { kind: "key", key: id, from: "stripe event id" };
    }
  }
  return { kind: "none" };
}

/** Shard index from the first bytes of the key's SHA-256 (hex), spreading keys evenly. */
export function shardOf(keyHashHex: string, shards = IDEMPOTENCY_SHARDS): number {
  return parseInt(keyHashHex.slice(0, 8), 16) % shards;
}
