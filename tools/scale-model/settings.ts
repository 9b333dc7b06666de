// The inputs of the model: the workload (issue 20's scenarios) and the gateway's settings, "today"
// (main as merged: wrangler.toml, core/idempotency, the guard client) and "after" (issue 20's changes).
import type { BreakerConfig } from "../../src/core/breaker";
import { DEFAULT_RETRY_MATRIX, retryPolicy, type RetryPolicy } from "../../src/core/retry";
import { DEFAULT_DEDUP_SHARDS as IDEMPOTENCY_SHARDS } from "../../src/core/dedup-shards";
import type { GuardFlush } from "./pending";

export interface Settings {
  name: string;
  /** Queue bindings a route's events spread over (K). */
  queues: number;
  /** IdempotencyShard objects (S). */
  dedupShards: number;
  guard: GuardFlush;
  /** Dead-letter rows per D1 round trip (1: one write per event). */
  deadLetterRowsPerCall: number;
  consumer: { batchSize: number; concurrency: number };
  /** Half-open breaker: every waiting delivery asks the object, or each isolate asks once per guard interval. */
  halfOpenAsk: "per-call" | "per-isolate";
  /**
   * Failure reports: each exchanged at once, or at once only from a share of the isolates
   * (core/guard-fanin atOnceShare, ~100 a second) and the rest on the guard interval (the local view trips by itself).
   */
  failureReports: "each-at-once" | "on-interval";
  /** Rate-limit leases: 1 s each (at most leaseSize tokens), or ~8 s of the isolate's demand (core/token-bucket planLease). */
  rateLeases: "1s" | "demand";
}

export const TODAY: Settings = {
  name: "today",
  queues: 1,
  dedupShards: IDEMPOTENCY_SHARDS,
  guard: { kind: "fixed", intervalMs: 1000, perConsumerBatch: true },
  deadLetterRowsPerCall: 1,
  consumer: { batchSize: 10, concurrency: 20 },
  halfOpenAsk: "per-call",
  failureReports: "each-at-once",
  rateLeases: "1s",
};

/**
 * Issue 20's changes as helper branch i20c builds them (queues, shards, adaptive flush, batched dead
 * letters). `consumer` is exactly what wrangler.toml's delivery consumers ship (test/unit/scale-model.test.ts
 * reads wrangler.toml and fails when they differ); the queue count K is the deploy's choice (docs/sharding.md).
 */
export const AFTER: Settings = {
  name: "after (i20c)",
  queues: 32,
  dedupShards: 256,
  guard: { kind: "adaptive", targetPerS: 400, minIntervalMs: 1000, maxIntervalMs: 10_000 },
  deadLetterRowsPerCall: 100,
  consumer: { batchSize: 25, concurrency: 100 },
  halfOpenAsk: "per-call",
  failureReports: "each-at-once",
  rateLeases: "1s",
};

/**
 * AFTER plus the lifts branch i20g builds: the guard client's half-open gate and failure reports
 * (core/guard-policy mayAskObject, failureReportAtOnce) and demand-sized rate-limit leases.
 */
export const AFTER_GUARD: Settings = { ...AFTER, name: "after + i20g (guard, leases)", halfOpenAsk: "per-isolate", failureReports: "on-interval", rateLeases: "demand" };

export interface Workload {
  totalPerS: number;
  routes: number;
  hotPerS: number;
  /** Isolates worldwide that serve the hot route's ingress. */
  isolates: number;
  /** The hot route has `max_backlog` (or is sync): its ingress isolates exchange with the guard. */
  hotIngressUsesGuard: boolean;
  /** The hot source has a per-source rate limit (SourceRateLimiter object). */
  hotSourceLimit: { requests: number; periodS: number } | null;
  endpointLatencyMs: number;
  /**
   * IdempotencyShard calls per event. Queued async: `reserve` (1) + the consumer's owner check, one
   * call per shard per batch (delivery/owner-check.ts: ~0.96 per event at batches of 25 over 256
   * shards, ~0.8 at 100) + `own`, which rides on the isolate's next `reserve` under load (0 at these
   * rates; 1 at a trickle); sync and ordered routes: claim + complete. 2 covers both at volume.
   */
  dedupCallsPerEvent: number;
  /** Share of steady attempts that fail and are retried once. */
  failShare: number;
  /** Share of events an endpoint refuses (4xx): dead-lettered at once. */
  rejectShare: number;
  /** Share of bodies above 64 KiB (R2 claim check). */
  largeBodyShare: number;
  /** A queued envelope with a 1 KB body. */
  envelopeBytes: number;
  orderedKeys: number;
  burstFactor: number;
  burstS: number;
  outageS: number;
  breaker: BreakerConfig;
  policy: RetryPolicy;
}

/** Issue 20's numbers; the breaker and retry schedule are the config defaults (src/config/schema.ts, core/retry). */
export const WORKLOAD: Workload = {
  totalPerS: 50_000,
  routes: 200,
  hotPerS: 20_000,
  isolates: 2_000,
  hotIngressUsesGuard: true,
  hotSourceLimit: { requests: 1_500_000, periodS: 60 },
  endpointLatencyMs: 200,
  dedupCallsPerEvent: 2,
  failShare: 0.01,
  rejectShare: 0.001,
  largeBodyShare: 0.01,
  envelopeBytes: 2_048,
  orderedKeys: 5_000,
  burstFactor: 10,
  burstS: 60,
  outageS: 600,
  breaker: { failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 },
  policy: retryPolicy(DEFAULT_RETRY_MATRIX),
};
