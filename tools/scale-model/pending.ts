// The mechanisms of issue 20's code changes (helper branch i20c) as the model assumes them, in one
// place: after that branch is merged, replace each body with a call to the core/ function it built
// (names to confirm at merge), so the model follows the code. Everything else comes from core/ today.
import { DEFAULT_DEDUP_SHARDS as IDEMPOTENCY_SHARDS } from "../../src/core/dedup-shards";

/** How an isolate's buffered guard outcomes reach the endpoint's object. */
export type GuardFlush =
  /** Today (src/adapters/endpoint-guard-client.ts): every `intervalMs` per isolate, and at the end of every consumer batch. */
  | { kind: "fixed"; intervalMs: number; perConsumerBatch: boolean }
  /** Adaptive: the object tells its callers how many there are; each spaces its exchanges so all of them together stay near `targetPerS`. */
  | { kind: "adaptive"; targetPerS: number; minIntervalMs: number; maxIntervalMs: number };

/** FNV-1a (32 bits) of a routing key. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * i20c: core/queue-shard.ts `queueIndexOf(routingKey, shards)` — the queue of a message by FNV-1a of
 * its id, or of `key:<ordering key>` on ordered routes (work in progress on that branch: same formula).
 */
export function queueIndexOf(routingKey: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(routingKey) % shards;
}

/** i20c: the interval at which each of `callers` isolates exchanges with one guard object. */
export function guardIntervalMs(policy: GuardFlush, callers: number): number {
  if (policy.kind === "fixed") return policy.intervalMs;
  const spaced = (Math.max(1, callers) / policy.targetPerS) * 1000;
  return Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, spaced));
}

/**
 * Calls per second into one endpoint's guard object from steady traffic: each caller with traffic
 * exchanges once per interval (never more often than it has events), plus one per consumer batch
 * that touched the endpoint when the policy flushes per batch.
 */
export function guardCallsPerS(policy: GuardFlush, callers: number, eventsPerS: number, consumerBatchesPerS: number): number {
  const interval = guardIntervalMs(policy, callers) / 1000;
  const timed = Math.min(callers / interval, eventsPerS);
  const batches = policy.kind === "fixed" && policy.perConsumerBatch ? consumerBatchesPerS : 0;
  return timed + batches;
}

/** i20c: D1 round trips for the dead-letter rows of one consumer batch (one per row today; one per `rowsPerCall` after). */
export function deadLetterCalls(rows: number, rowsPerCall: number): number {
  return rows <= 0 ? 0 : Math.ceil(rows / Math.max(1, rowsPerCall));
}

/** i20c: core/dedup-shards.ts `recommendedDedupShards` — a power of two from 64 keeping each shard under `targetPerS`. */
export function recommendedDedupShards(eventsPerS: number, callsPerEvent = 2, targetPerS = 500): number {
  const needed = Math.ceil((eventsPerS * callsPerEvent) / targetPerS);
  let shards = IDEMPOTENCY_SHARDS;
  while (shards < needed && shards < 4096) shards *= 2;
  return shards;
}
