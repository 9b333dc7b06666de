// The scheduled handler through the Worker's own `scheduled` export: retention purge (rows and R2
// bodies), automated replay once an endpoint is healthy, alerts fired once per condition per hour.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { messageId } from "../../src/core/ids";
import { signStandardWebhook } from "../../src/core/signatures";
import type { CallReport } from "../../src/core/endpoint-report";
import { claimForReplay, getDeadLetter, writeDeadLetter, type DeadLetterReason } from "../../src/adapters/dead-letter-store";
import { runScheduled } from "../../src/scheduled";
import { setLogSink } from "../../src/log";
import { systemRuntime } from "../../src/runtime";
import { baseConfig, envWith, testEnv } from "./helpers";

const HOUR = 3_600_000;
const ALERT_SECRET = "whsec_YWxlcnQtc2lnbmluZy1zZWNyZXQtZm9yLXRlc3Rz";

function envelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    v: 1, id: messageId(Date.now(), crypto.getRandomValues(new Uint8Array(10))), trace_id: "0af7651916cd43dd8448eb211c80319c",
    parent_span_id: "b7ad6b7169203331", source: "acme", event_type: "user.created", route: "user.*", endpoint: "profiles",
    queue: "DELIVERY_QUEUE", idempotency_key: null, content_type: "application/json", headers: [],
    body: { kind: "inline", bytes: new TextEncoder().encode("{}") }, received_at: Date.now() - HOUR, attempt: 6,
    policy: { matrix: [500], max_attempts: 2 }, last_status: 503, last_error: "HTTP 503", fallback: null, replay_count: 0, ordering: null,
    ...overrides,
  };
}

async function seed(e: Envelope, failedAt: number, reason: DeadLetterReason = "exhausted"): Promise<Envelope> {
  await writeDeadLetter(testEnv.DB, { envelope: e, reason, attempts: 2, lastStatus: 503, lastError: "HTTP 503", failedAt });
  return e;
}

async function withR2Body(failedAt: number): Promise<Envelope> {
  const id = messageId(Date.now(), crypto.getRandomValues(new Uint8Array(10)));
  await testEnv.PAYLOADS.put(`payloads/${id}`, "a large body");
  return seed(envelope({ id, body: { kind: "r2", key: `payloads/${id}`, size: 12 } }), failedAt);
}

async function runCron(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

function spyQueue(): { queue: Queue<unknown>; sent: { body: Envelope; delaySeconds: number }[] } {
  const sent: { body: Envelope; delaySeconds: number }[] = [];
  const queue = {
    send: async (body: Envelope, options?: { delaySeconds?: number }) => { sent.push({ body, delaySeconds: options?.delaySeconds ?? 0 }); },
    sendBatch: async () => undefined,
  };
  return { queue: queue as unknown as Queue<unknown>, sent };
}

let logs: string[];

beforeEach(async () => {
  logs = [];
  setLogSink((line) => logs.push(line));
  await testEnv.DB.batch([testEnv.DB.prepare("DELETE FROM dead_letters"), testEnv.DB.prepare("DELETE FROM alerts")]);
});

afterEach(() => {
  setLogSink(undefined);
  vi.restoreAllMocks();
});

describe("stale replay claims", () => {
  it("gives a claim older than 10 minutes back to the dead-letter list, and leaves a fresh one alone", async () => {
    const stale = await seed(envelope(), Date.now() - HOUR);
    const fresh = await seed(envelope(), Date.now() - HOUR);
    const now = Date.now();
    await claimForReplay(testEnv.DB, { id: stale.id }, 1, { now: now - 11 * 60_000 });
    await claimForReplay(testEnv.DB, { id: fresh.id }, 1, { now: now - 60_000 });
    await runScheduled(envWith(baseConfig()), { ...systemRuntime, now: () => now });
    expect((await getDeadLetter(testEnv.DB, stale.id))?.status).toBe("dead");
    expect((await getDeadLetter(testEnv.DB, fresh.id))?.status).toBe("replaying");
    expect(logs.some((l) => l.includes('"event":"replay_claims_released"'))).toBe(true);
  });
});

describe("retention", () => {
  it("purges dead letters past dlq_retention_hours with their R2 bodies and keeps newer ones", async () => {
    const now = Date.now();
    const old = await withR2Body(now - 49 * HOUR);
    const oldInline = await seed(envelope(), now - 50 * HOUR);
    const fresh = await withR2Body(now - 47 * HOUR);
    const replayedLately = await seed(envelope(), now - 60 * HOUR);
    await testEnv.DB.prepare("UPDATE dead_letters SET status = 'replayed', replayed_at = ? WHERE id = ?").bind(now - HOUR, replayedLately.id).run();

    await runCron(envWith(baseConfig({ dlq_retention_hours: 48 })));

    expect(await getDeadLetter(testEnv.DB, old.id)).toBeNull();
    expect(await getDeadLetter(testEnv.DB, oldInline.id)).toBeNull();
    expect(await testEnv.PAYLOADS.head(`payloads/${old.id}`)).toBeNull();
    expect(await getDeadLetter(testEnv.DB, fresh.id)).not.toBeNull();
    expect(await testEnv.PAYLOADS.head(`payloads/${fresh.id}`)).not.toBeNull();
    expect(await getDeadLetter(testEnv.DB, replayedLately.id)).not.toBeNull();
  });

  it("keeps 720 hours by default and purges nothing while the config is invalid", async () => {
    const now = Date.now();
    const month = await seed(envelope(), now - 700 * HOUR);
    const older = await seed(envelope(), now - 721 * HOUR);
    await runCron(envWith("{ not json"));
    expect(await getDeadLetter(testEnv.DB, older.id)).not.toBeNull();
    await runCron(envWith(baseConfig()));
    expect(await getDeadLetter(testEnv.DB, older.id)).toBeNull();
    expect(await getDeadLetter(testEnv.DB, month.id)).not.toBeNull();
  });
});

describe("automated replay", () => {
  const cfg = baseConfig({
    endpoints: { steady: { url: "http://127.0.0.1:9/steady" }, flappy: { url: "http://127.0.0.1:9/flappy" } },
    routing_rules: [
      { event_type: "user.*", mode: "async", endpoint: "steady", auto_replay: true },
      { event_type: "order.*", mode: "async", endpoint: "flappy", auto_replay: true },
      { event_type: "audit.*", mode: "async", endpoint: "steady" },
    ],
  });

  it("replays exhausted dead letters of auto_replay routes whose breaker has been closed and healthy", async () => {
    const now = Date.now();
    const a = await seed(envelope({ route: "user.*", endpoint: "steady" }), now - 2000);
    const b = await seed(envelope({ route: "user.*", endpoint: "steady" }), now - 1000);
    const rejected = await seed(envelope({ route: "user.*", endpoint: "steady" }), now - 500, "rejected");
    const tired = await seed(envelope({ route: "user.*", endpoint: "steady", replay_count: 3 }), now - 400);
    const optedOut = await seed(envelope({ route: "audit.*", endpoint: "steady", event_type: "audit.log" }), now - 300);
    const spy = spyQueue();

    await runCron(envWith(cfg, { DELIVERY_QUEUE: spy.queue }));

    expect(spy.sent.map((s) => s.body.id).sort()).toEqual([a.id, b.id].sort());
    expect(spy.sent.every((s) => s.body.attempt === 0 && s.body.replay_count === 1)).toBe(true);
    expect(spy.sent.map((s) => s.delaySeconds).sort((x, y) => x - y)).toEqual([0, 30]);
    for (const id of [a.id, b.id]) expect(await getDeadLetter(testEnv.DB, id)).toMatchObject({ status: "replayed", replay_count: 1 });
    for (const id of [rejected.id, tired.id, optedOut.id]) expect(await getDeadLetter(testEnv.DB, id)).toMatchObject({ status: "dead" });

    await runCron(envWith(cfg, { DELIVERY_QUEUE: spy.queue }));
    expect(spy.sent).toHaveLength(2);
  });

  it("waits while the endpoint's breaker closed only moments ago", async () => {
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("flappy"));
    const failure: CallReport = { route: "order.*", mode: "async", delivered: false, breaker: "failure", latencyMs: 10, at: Date.now() };
    await stub.sync({ isolate: "t", inflight: 0, reports: Array(5).fill(failure), cfg: { failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 }, admit: false, probeLeaseMs: 0 });
    await stub.reset();
    const waiting = await seed(envelope({ route: "order.*", endpoint: "flappy", event_type: "order.paid" }), Date.now() - 1000);
    const spy = spyQueue();

    await runCron(envWith(cfg, { DELIVERY_QUEUE: spy.queue }));

    expect(spy.sent).toHaveLength(0);
    expect(await getDeadLetter(testEnv.DB, waiting.id)).toMatchObject({ status: "dead" });
    // Five minutes later the breaker counts as healthy again.
    await runScheduled(envWith(cfg, { DELIVERY_QUEUE: spy.queue }), { ...systemRuntime, now: () => Date.now() + 6 * 60_000 });
    expect(spy.sent.map((s) => s.body.id)).toEqual([waiting.id]);
  });
});

describe("alerts", () => {
  it("posts one signed alert per condition per hour when a route's dead letters pass the threshold", async () => {
    const now = Date.now();
    for (let i = 0; i < 3; i++) await seed(envelope(), now - i * 1000);
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const env = envWith(baseConfig({ dlq_alert_threshold: 2 }), { ALERT_WEBHOOK_URL: "http://127.0.0.1:9/alerts?key=hidden", ALERT_SIGNING_SECRET: ALERT_SECRET });

    await runCron(env);
    await runCron(env);

    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(String(url)).toBe("http://127.0.0.1:9/alerts?key=hidden");
    const headers = new Headers(init?.headers);
    const body = new Uint8Array(init?.body as Uint8Array);
    const payload = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: "hookgate.alert", alert: "dlq_threshold", route: "user.*", endpoint: "profiles", dead_letters: 3, threshold: 2 });
    const id = headers.get("webhook-id") ?? "";
    const ts = Number(headers.get("webhook-timestamp"));
    expect(headers.get("webhook-signature")).toBe(await signStandardWebhook({ id, timestampS: ts, body, secrets: [ALERT_SECRET] }));
    const alertLines = logs.filter((l) => l.includes('"event":"alert"'));
    expect(alertLines).toHaveLength(1);
    expect(logs.join("\n")).not.toContain("hidden");
  });

  it("stays quiet below the threshold and logs without posting when no webhook is set", async () => {
    await seed(envelope(), Date.now());
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    await runCron(envWith(baseConfig({ dlq_alert_threshold: 1 })));
    expect(logs.filter((l) => l.includes('"event":"alert"'))).toHaveLength(0);
    await seed(envelope(), Date.now());
    await runCron(envWith(baseConfig({ dlq_alert_threshold: 1 })));
    expect(logs.filter((l) => l.includes('"event":"alert"'))).toHaveLength(1);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("alerts when an endpoint's breaker has stayed open past the limit", async () => {
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("payments"));
    const failure: CallReport = { route: "payment.authorize", mode: "sync", delivered: false, breaker: "failure", latencyMs: 10, at: Date.now() };
    await stub.sync({ isolate: "t", inflight: 0, reports: Array(5).fill(failure), cfg: { failureThreshold: 5, recoveryTimeoutMs: 3_600_000, halfOpenMaxProbes: 1 }, admit: false, probeLeaseMs: 0 });
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const env = envWith(baseConfig(), { ALERT_WEBHOOK_URL: "http://127.0.0.1:9/alerts" });
    const runtime = (offsetMs: number) => ({ ...systemRuntime, now: () => Date.now() + offsetMs });

    await runScheduled(env, runtime(60_000));
    expect(fetchSpy).not.toHaveBeenCalled();
    await runScheduled(env, runtime(10 * 60_000));
    await runScheduled(env, runtime(11 * 60_000));
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const payload = JSON.parse(new TextDecoder().decode(fetchSpy.mock.calls[0]?.[1]?.body as Uint8Array)) as Record<string, unknown>;
    expect(payload).toMatchObject({ alert: "breaker_open", endpoint: "payments", breaker: "open" });
    await stub.reset();
  });

  it("fires the SLO burn-rate alert for an endpoint failing 20 % of calls and not for one failing 0.5 %", async () => {
    const now = Date.now();
    const reports = (endpointFailEvery: number): CallReport[] => Array.from({ length: 90 * 40 }, (_, i) => ({
      route: "user.*", mode: "async", delivered: i % endpointFailEvery !== 0, breaker: "neutral", latencyMs: 5, at: now - Math.floor(i / 40) * 60_000,
    }));
    const cfg = { failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 };
    await testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("payments")).sync({ isolate: "t", inflight: 0, reports: reports(5), cfg, admit: false, probeLeaseMs: 0 });
    await testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("profiles")).sync({ isolate: "t", inflight: 0, reports: reports(200), cfg, admit: false, probeLeaseMs: 0 });
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    await runCron(envWith(baseConfig(), { ALERT_WEBHOOK_URL: "http://127.0.0.1:9/alerts" }));
    const payloads = fetchSpy.mock.calls.map((c) => JSON.parse(new TextDecoder().decode(c[1]?.body as Uint8Array)) as Record<string, unknown>);
    const slo = payloads.filter((p) => p["alert"] === "slo_burn");
    expect(slo).toHaveLength(1);
    expect(slo[0]).toMatchObject({ endpoint: "payments", objective: 0.99, window: "fast" });
    expect(slo[0]?.["burn_rate_long"]).toBeCloseTo(20, 0);
    expect(logs.some((l) => l.includes('"alert":"slo_burn"') && l.includes('"endpoint":"payments"'))).toBe(true);
  });
});
