// Dead letters per consumer batch inside workerd: a batch's exhausted events land in D1 in one
// transaction (writeMany), not one write each; a failed write retries them all; and while an
// endpoint's breaker is open its events wait in the queue and never reach D1.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { baseConfig, envWith, recordingQueue, testEnv, testEnvelope } from "./helpers";

const URL_ = "https://hooks.example.com/dl-batch";

/** The real D1 binding, counting batch() calls and their statements, and single run()s. */
function countingDb(opts: { failBatch?: boolean } = {}) {
  const counts = { batches: 0, statements: 0, singleWrites: 0 };
  const db = new Proxy(testEnv.DB, {
    get(target, prop) {
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          counts.batches += 1;
          counts.statements += statements.length;
          if (opts.failBatch === true) throw new Error("D1 unavailable (test)");
          return target.batch(statements);
        };
      }
      if (prop === "prepare") {
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (/^\s*(INSERT|UPDATE)/i.test(sql) && /dead_letters/.test(sql)) counts.singleWrites += 1;
          return statement;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db, counts };
}

function gatewayEnv(db: D1Database, breaker = { failure_threshold: 1_000_000, recovery_timeout_ms: 60_000, half_open_max_probes: 1 }) {
  const q = recordingQueue();
  const e: Env = envWith(
    baseConfig({
      allow_private_networks: false,
      endpoints: { profiles: { url: URL_, circuit_breaker: breaker } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "profiles" }],
    }),
    { DB: db, DELIVERY_QUEUE: q.queue },
  );
  return { e, sent: q.sent as Envelope[] };
}

async function consume(e: Env, queue: string, envelopes: readonly Envelope[]) {
  const batch = createMessageBatch(
    queue,
    envelopes.map((body, i) => ({ id: `qm-dlb-${body.id}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return getQueueResult(batch, ctx);
}

async function storedCount(envelopes: readonly Envelope[]): Promise<number> {
  const ids = envelopes.map((x) => x.id);
  const row = await testEnv.DB.prepare(`SELECT COUNT(*) AS n FROM dead_letters WHERE id IN (${ids.map(() => "?").join(",")})`)
    .bind(...ids)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Envelopes on their last attempt: one more failure exhausts them. */
const lastAttempt = (n: number) => Array.from({ length: n }, () => testEnvelope({ attempt: 2, policy: { matrix: [0, 0], max_attempts: 3 } }, "msg_DLBATCH"));

beforeEach(() => forgetGuardCache());
afterEach(() => {
  vi.restoreAllMocks();
  forgetGuardCache();
});

describe("dead letters per consumer batch", () => {
  it("stores a batch's 40 exhausted events in one D1 batch and acks them all", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 500 }));
    const { db, counts } = countingDb();
    const { e } = gatewayEnv(db);
    const envelopes = lastAttempt(40);
    const result = await consume(e, "hookgate-delivery", envelopes);
    expect(result.explicitAcks).toHaveLength(40);
    expect(result.retryMessages).toEqual([]);
    expect(counts).toEqual({ batches: 1, statements: 40, singleWrites: 40 }); // 40 upserts prepared, sent as one batch
    expect(await storedCount(envelopes)).toBe(40);
  });

  it("stores the Queues dead-letter queue's batch in one D1 batch too", async () => {
    const { db, counts } = countingDb();
    const { e } = gatewayEnv(db);
    const envelopes = lastAttempt(25);
    const result = await consume(e, "hookgate-delivery-dlq", envelopes);
    expect(result.explicitAcks).toHaveLength(25);
    expect(counts.batches).toBe(1);
    expect(await storedCount(envelopes)).toBe(25);
  });

  it("acks none and retries all when the batch's D1 write fails", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 500 }));
    const { db } = countingDb({ failBatch: true });
    const { e } = gatewayEnv(db);
    const envelopes = lastAttempt(10);
    const result = await consume(e, "hookgate-delivery", envelopes);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(10);
    expect(await storedCount(envelopes)).toBe(0);
  });

  it("lets an open breaker's events wait in the queue (same attempt count) instead of reaching D1", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
    const { db, counts } = countingDb();
    const { e, sent } = gatewayEnv(db, { failure_threshold: 3, recovery_timeout_ms: 60_000, half_open_max_probes: 1 });
    // The outage: three failures on early attempts trip the breaker (they are re-enqueued, not dead).
    const tripping = Array.from({ length: 3 }, () => testEnvelope({ policy: { matrix: [0, 0], max_attempts: 3 } }, "msg_DLTRIP"));
    for (const x of tripping) await consume(e, "hookgate-delivery", [x]);
    const calls = vi.mocked(globalThis.fetch).mock.calls.length;
    // Now a batch of events on their last attempt: none is attempted, none dead-lettered.
    const waiting = lastAttempt(30);
    const result = await consume(e, "hookgate-delivery", waiting);
    expect(vi.mocked(globalThis.fetch).mock.calls.length).toBe(calls);
    expect(result.explicitAcks).toHaveLength(30);
    expect(counts.batches).toBe(0);
    expect(await storedCount(waiting)).toBe(0);
    const requeued = sent.filter((s) => waiting.some((w) => w.id === s.id));
    expect(requeued).toHaveLength(30);
    expect(requeued.every((s) => s.attempt === 2)).toBe(true);
  });
});
