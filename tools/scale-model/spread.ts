// How evenly real-looking keys spread over n shards or queues, through the code's own choice: the dedup
// shard (core/dedup-shards shardIndexOf over the key's SHA-256, as src/delivery/dispatch.ts hashes it) or the queue.
import { createHash } from "node:crypto";
import { shardIndexOf as shardOf } from "../../src/core/dedup-shards";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `count` provider-style delivery ids (Standard Webhooks `msg_…`), the same on every run. */
export function sampleKeys(count: number, prefix = "msg_"): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${sha256Hex(`hookgate-scale-model-${i}`).slice(0, 27)}`);
}

/** The dedup shard of a key, as src/adapters/idempotency-store.ts picks it. */
export function dedupShard(key: string, shards: number): number {
  return shardOf(sha256Hex(key), shards);
}

export interface Spread {
  buckets: number;
  /** Share of the weight in the fullest bucket. */
  maxShare: number;
  /** Fullest bucket over the mean bucket (1 = perfectly even). */
  loadFactor: number;
}

/**
 * The spread of weighted keys over `buckets` by `pick(key, buckets)` (default: the dedup shard).
 * Weights default to 1 (each key one event); ordering keys carry their own rates.
 */
export function spread(keys: readonly string[], buckets: number, weights?: readonly number[], pick: (key: string, n: number) => number = dedupShard): Spread {
  const load = new Array<number>(buckets).fill(0);
  let total = 0;
  keys.forEach((key, i) => {
    const w = weights?.[i] ?? 1;
    const b = pick(key, buckets);
    load[b] = (load[b] ?? 0) + w;
    total += w;
  });
  const max = Math.max(...load);
  const maxShare = total === 0 ? 0 : max / total;
  return { buckets, maxShare, loadFactor: maxShare * buckets };
}
