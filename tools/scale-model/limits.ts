// Cloudflare's published limits the model checks against (each with where it is published), and the
// tighter targets issue 20 sets for the "after" settings. Read Nov 2026; docs/scale.md cites the same.

export interface Limit {
  value: number;
  unit: string;
  /** Where Cloudflare publishes it. */
  source: string;
  note: string;
}

const QUEUES = "https://developers.cloudflare.com/queues/platform/limits/";
const DO = "https://developers.cloudflare.com/durable-objects/platform/limits/";
const D1 = "https://developers.cloudflare.com/d1/platform/limits/";
const R2 = "https://developers.cloudflare.com/r2/platform/limits/";
const WORKERS = "https://developers.cloudflare.com/workers/platform/limits/";

export const LIMITS = {
  queueMessagesPerS: { value: 5_000, unit: "msg/s", source: QUEUES, note: "per-queue message throughput; send() throws Too Many Requests above it" },
  queueConcurrency: { value: 250, unit: "invocations", source: QUEUES, note: "concurrent consumer invocations per queue (push consumers)" },
  queueBatch: { value: 100, unit: "messages", source: QUEUES, note: "maximum consumer batch size; sendBatch takes 100 messages or 256 KB" },
  queueBacklogBytes: { value: 25e9, unit: "bytes", source: QUEUES, note: "per-queue backlog size (25 GB)" },
  objectRequestsPerS: { value: 1_000, unit: "req/s", source: DO, note: "soft limit of one Durable Object (single-threaded); overloaded errors beyond" },
  d1QueriesPerS: { value: 1_000, unit: "queries/s", source: D1, note: "one database is single-threaded: ~1,000 queries/s at 1 ms each, fewer when slower" },
  r2SameKeyWritesPerS: { value: 1, unit: "writes/s", source: R2, note: "concurrent writes to the same object key" },
  outboundConnections: { value: 6, unit: "connections", source: WORKERS, note: "simultaneous open connections per invocation" },
} as const satisfies Record<string, Limit>;

/** What issue 20 asks of the "after" settings at 50k events/s. */
export const TARGETS = {
  objectCallsPerS: 500,
  queueMessagesPerS: 4_000,
  /** D1 statements/s in the outage scenario. */
  d1OutageStatementsPerS: 100,
} as const;

export type Verdict = "ok" | "over target" | "OVER LIMIT";

/** Above the platform limit, above the target, or fine. */
export function verdict(value: number, limit: number, target?: number): Verdict {
  if (value > limit) return "OVER LIMIT";
  if (target !== undefined && value > target) return "over target";
  return "ok";
}
