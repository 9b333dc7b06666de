// Reconciliation of sync-to-async fallbacks (issue 17), fake clock, D1 stores: each fallback is tracked
// to its final state by the consumer; the cron flags one never delivered after reconcile_after_s (a
// `reconciliation` alert, ?state=unreconciled); a reconcile_url consumer reporting 2 missing ids gets
// exactly those 2 replayed, signed batches, and a rerun of the same slot changes nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { loadConfig, type Config } from "../../src/config/load";
import { flagUnreconciled, reconcileEndpoints, RECONCILE_SLOT_MS } from "../../src/delivery/reconcile";
import { d1DeadLetterStore, d1FallbackStore } from "../../src/adapters/d1";
import { verifyStandardWebhooks } from "../../src/core/signatures";
import { createWorkerApp } from "../../src/wiring";
import type { Envelope } from "../../src/core/envelope";
import type { HttpSender, SendInput } from "../../src/ports/http";
import type { FallbackRow } from "../../src/ports/storage";
import type { Runtime } from "../../src/runtime";
import { baseConfig, captureLogsPerTest, envWith, noSleep, portsFor, recordingQueue, SIGNING_SECRET, testEnv, testEnvelope } from "./helpers";

captureLogsPerTest();

const T0 = Date.parse("2026-03-01T12:00:00Z");
const MIN = 60_000;
const fallbacks = d1FallbackStore(testEnv.DB);
const deadLetters = d1DeadLetterStore(testEnv.DB);
const at = (now: number): Runtime => ({ now: () => now, random: () => 0.5, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), sleep: noSleep });
const queue = recordingQueue();
const env = envWith(
  baseConfig({
    endpoints: {
      payments: { url: "http://127.0.0.1:9/pay", signing_secrets: ["PROFILES_SIGNING_SECRET"], reconcile_url: "http://127.0.0.1:9/reconcile" },
      profiles: { url: "http://127.0.0.1:9/hooks" },
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", fallback: "async_dlq", reconcile_after_s: 600 },
      { event_type: "user.*", mode: "async", endpoint: "profiles" },
    ],
  }),
  { DELIVERY_QUEUE: queue.queue },
);
function config(): Config {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  return loaded.config;
}
const row = (n: number, atMs: number): FallbackRow => ({
  id: `msg_RECON${String(n).padStart(25, "0")}`,
  trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
  source: "acme",
  event_type: "payment.authorize",
  route: "payment.authorize",
  endpoint: "payments",
  reason: "timeout",
  at: atMs,
});
const fallbackEnvelope = (r: FallbackRow): Envelope =>
  testEnvelope({ id: r.id, route: r.route, endpoint: r.endpoint, event_type: r.event_type, fallback: "timeout", received_at: r.at });

async function listState(state: string, now: number): Promise<string[]> {
  const ctx = createExecutionContext();
  const res = await createWorkerApp(at(now)).fetch(
    new Request(`https://gateway.test/admin/fallbacks?state=${state}`, { headers: { Authorization: "Bearer test-admin-token" } }),
    { ...env, ADMIN_TOKEN: "test-admin-token" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
}

beforeEach(async () => {
  await testEnv.DB.batch(["fallbacks", "dead_letters", "alerts", "alert_pending"].map((t) => testEnv.DB.prepare(`DELETE FROM ${t}`)));
  queue.sent.length = 0;
});

describe("fallbacks tracked to their final state", () => {
  it("records delivered and dead_lettered from the consumer of envelopes with fallback set", async () => {
    const ok = row(1, T0);
    const rejected = row(2, T0);
    for (const r of [ok, rejected]) await fallbacks.record(r);
    const answers = new Map([
      [ok.id, 200],
      [rejected.id, 400],
    ]);
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      new Response(null, { status: answers.get(new Request(input, init).headers.get("webhook-id") ?? "") ?? 500 });
    try {
      const batch = createMessageBatch(
        "hookgate-delivery",
        [ok, rejected].map((r, i) => ({ id: `qm-${i}`, timestamp: new Date(), attempts: 1, body: fallbackEnvelope(r) })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      await getQueueResult(batch, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(await listState("delivered", T0)).toEqual([ok.id]);
    expect(await listState("dead_lettered", T0)).toEqual([rejected.id]);
    expect(await listState("waiting", T0)).toEqual([]);
  });

  it("flags a fallback never delivered once reconcile_after_s has passed, once, with a reconciliation alert", async () => {
    const stuck = row(3, T0);
    await fallbacks.record(stuck);
    const ports = portsFor(env, at(T0 + 10 * MIN - 1));
    expect(await flagUnreconciled(ports, config(), T0 + 10 * MIN - 1)).toEqual([]);
    expect(await listState("unreconciled", T0 + 10 * MIN - 1)).toEqual([]);
    const alerts = await flagUnreconciled(ports, config(), T0 + 10 * MIN + 1);
    expect(alerts).toEqual([{ kind: "reconciliation", route: "payment.authorize", endpoint: "payments", count: 1, afterS: 600 }]);
    expect(await listState("unreconciled", T0 + 10 * MIN + 1)).toEqual([stuck.id]);
    expect(await flagUnreconciled(ports, config(), T0 + 11 * MIN)).toEqual([]);
    await fallbacks.settle(stuck.id, "delivered", T0 + 12 * MIN);
    expect(await listState("unreconciled", T0 + 12 * MIN)).toEqual([]);
  });
});

describe("reconcile_url", () => {
  function consumerSaying(missing: (ids: string[]) => string[]): { http: HttpSender; calls: SendInput[] } {
    const calls: SendInput[] = [];
    return {
      calls,
      http: {
        async send(input) {
          calls.push(input);
          const body = JSON.parse(new TextDecoder().decode(input.body)) as { items: { message_id: string }[] };
          const answer = Response.json({ missing: missing(body.items.map((i) => i.message_id)) });
          return { result: { kind: "response", status: 200 }, response: answer, latencyMs: 1 };
        },
      },
    };
  }

  it("replays exactly the 2 ids the consumer lacks, signs the batch, and changes nothing on a rerun of the slot", async () => {
    const rows = [1, 2, 3, 4].map((n) => row(10 + n, T0 + n));
    for (const r of rows) {
      await fallbacks.record(r);
      await deadLetters.write({ envelope: fallbackEnvelope(r), reason: "exhausted", attempts: 6, lastStatus: 503, lastError: "HTTP 503", failedAt: T0 + MIN });
      await fallbacks.settle(r.id, "dead_lettered", T0 + MIN);
    }
    const lacking = [rows[1]?.id ?? "", rows[3]?.id ?? ""];
    const consumer = consumerSaying((ids) => ids.filter((id) => lacking.includes(id)));
    const now = T0 + RECONCILE_SLOT_MS + MIN;
    const report = await reconcileEndpoints({ ...portsFor(env, at(now)), http: consumer.http }, config(), now);
    expect(report).toEqual({ sent: 4, missing: 2, replayed: 2 });
    expect(queue.sent.map((e) => (e as Envelope).id).sort()).toEqual([...lacking].sort());

    const call = consumer.calls[0];
    if (call === undefined) throw new Error("no call");
    expect(call.url).toBe("http://127.0.0.1:9/reconcile");
    const verdict = await verifyStandardWebhooks({ headers: call.headers, body: call.body, secrets: [SIGNING_SECRET], toleranceS: 300, nowMs: now });
    expect(verdict.ok).toBe(true);
    const sentBody = JSON.parse(new TextDecoder().decode(call.body)) as { items: Record<string, string>[] };
    expect(sentBody.items[0]).toEqual({ message_id: rows[0]?.id, event_type: "payment.authorize", state: "dead_lettered", accepted_at: new Date(T0 + 1).toISOString() });

    // Interrupted and run again in the same slot: no second batch, no second replay.
    const again = await reconcileEndpoints({ ...portsFor(env, at(now + MIN)), http: consumer.http }, config(), now + MIN);
    expect(again).toEqual({ sent: 0, missing: 0, replayed: 0 });
    expect(queue.sent).toHaveLength(2);
    // The next slot asks only about the two still unconfirmed.
    const later = now + RECONCILE_SLOT_MS;
    const next = await reconcileEndpoints({ ...portsFor(env, at(later)), http: consumerSaying(() => []).http }, config(), later);
    expect(next).toEqual({ sent: 2, missing: 0, replayed: 0 });
  });

  it("replays one id at most 3 times", async () => {
    const r = row(20, T0);
    await fallbacks.record(r);
    await fallbacks.settle(r.id, "dead_lettered", T0);
    const consumer = consumerSaying((ids) => ids);
    for (let slot = 1; slot <= 5; slot += 1) {
      await deadLetters.write({ envelope: fallbackEnvelope(r), reason: "exhausted", attempts: 6, lastStatus: 503, lastError: "HTTP 503", failedAt: T0 + slot });
      const now = T0 + slot * RECONCILE_SLOT_MS;
      await reconcileEndpoints({ ...portsFor(env, at(now)), http: consumer.http }, config(), now);
    }
    expect(queue.sent).toHaveLength(3);
    expect(consumer.calls).toHaveLength(5);
  });
});
