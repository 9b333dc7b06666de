// The mechanisms of issue 20's code changes as the model uses them, in one place: the queue choice,
// the shard recommendation and the adaptive guard interval are core/'s own; the "today" policies
// (fixed 1 s guard flush, one dead letter per D1 write, 1 s rate-limit leases) are parameters beside them.
import { guardFlushIntervalMs } from "../../src/core/guard-fanin";
import { leaseSize, planLease, type BucketConfig } from "../../src/core/token-bucket";

/** How an isolate's buffered guard outcomes reach the endpoint's object. */
export type GuardFlush =
  /** Today (src/adapters/endpoint-guard-client.ts): every `intervalMs` per isolate, and at the end of every consumer batch. */
  | { kind: "fixed"; intervalMs: number; perConsumerBatch: boolean }
  /** Adaptive: the object tells its callers how many there are; each spaces its exchanges so all of them together stay near `targetPerS`. */
  | { kind: "adaptive"; targetPerS: number; minIntervalMs: number; maxIntervalMs: number };

/** The queue of a message: the gateway's own choice (FNV-1a of the message id or `key:<ordering key>`). */
export { queueIndexOf } from "../../src/core/queue-shard";

/** The interval at which each of `callers` isolates exchanges with one guard object (adaptive: core/guard-fanin's own). */
export function guardIntervalMs(policy: GuardFlush, callers: number): number {
  if (policy.kind === "fixed") return policy.intervalMs;
  return guardFlushIntervalMs(Math.max(1, callers), policy.targetPerS);
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

/**
 * Calls per second into a source's SourceRateLimiter from `isolates` isolates each seeing
 * `perIsolatePerS` requests. Today (main before i20g): a lease lasts 1 s and holds at most 100
 * tokens, so each busy isolate asks at least once a second. After: core/token-bucket planLease, one
 * ask per lease life (~8 s of the isolate's demand), averaged over the jitter draws.
 */
export function rateLimiterCallsPerS(leases: "1s" | "demand", cfg: BucketConfig, isolates: number, perIsolatePerS: number): number {
  if (leases === "1s") return Math.min(isolates * Math.max(1, perIsolatePerS / Math.min(100, leaseSize(cfg))), isolates * perIsolatePerS);
  const draws = 200;
  let perIsolate = 0;
  for (let i = 0; i < draws; i++) perIsolate += Math.min(perIsolatePerS, 1_000 / planLease(cfg, perIsolatePerS, (i + 0.5) / draws).lastsMs);
  return (isolates * perIsolate) / draws;
}
