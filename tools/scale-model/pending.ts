// The mechanisms of issue 20's code changes (helper branch i20c) as the model assumes them, in one
// place: after that branch is merged, replace each body with a call to the core/ function it built
// so the model follows the code: the queue choice and the shard recommendation are core/'s own;
// the guard interval and dead-letter batching are modelled here with their policy as a parameter.

/** How an isolate's buffered guard outcomes reach the endpoint's object. */
export type GuardFlush =
  /** Today (src/adapters/endpoint-guard-client.ts): every `intervalMs` per isolate, and at the end of every consumer batch. */
  | { kind: "fixed"; intervalMs: number; perConsumerBatch: boolean }
  /** Adaptive: the object tells its callers how many there are; each spaces its exchanges so all of them together stay near `targetPerS`. */
  | { kind: "adaptive"; targetPerS: number; minIntervalMs: number; maxIntervalMs: number };

/** The queue of a message: the gateway's own choice (FNV-1a of the message id or `key:<ordering key>`). */
export { queueIndexOf } from "../../src/core/queue-shard";

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

/** The dedup shard count the gateway recommends for a rate (a power of two, each shard under its budget). */
export { recommendedDedupShards } from "../../src/core/dedup-shards";
