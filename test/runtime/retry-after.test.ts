// Retry-After on every 429 and 503 the gateway answers (docs/contract.md §2, §4): one row per way to get
// one, each driven through the real app, plus a completeness check over the Problem union. Then the
// per-source rate limit: limits are per source, and Retry-After counts down to the bucket's refill.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import type { ConfigInput } from "../../src/config/schema";
import type { Envelope } from "../../src/core/envelope";
import { toWire, type Problem } from "../../src/core/problems";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import { forgetRateLeases } from "../../src/adapters/rate-limit-client";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import type { ClaimResult } from "../../src/ports/idempotency";
import { loadConfig } from "../../src/config/load";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, expectProblem, recordingQueue, signedRequest, testEnv } from "./helpers";

const deadLetters = d1DeadLetterStore(testEnv.DB);

beforeEach(() => {
  forgetRateLeases();
  forgetGuardCache();
  setLogSink(() => undefined);
});
afterEach(() => {
  setLogSink(undefined);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

let n = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++n}`;
const userEvent = () => JSON.stringify({ type: "user.created", user_id: `u${n}` });
const payment = () => JSON.stringify({ type: "payment.authorize", amount: 1200 });

type RuleInput = ConfigInput["routing_rules"][number];

/** A config with one source `src`, one endpoint and one rule on it (names unique per call). */
function route(opts: { rule?: Partial<RuleInput>; endpoint?: Record<string, unknown>; source?: Record<string, unknown> } = {}) {
  const source = unique("src");
  const endpoint = unique("ep");
  const url = `http://127.0.0.1:9/${endpoint}`;
  const raw = baseConfig({
    sources: { [source]: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, ...opts.source } },
    endpoints: { [endpoint]: { url, ...opts.endpoint } },
    routing_rules: [{ event_type: "user.*", mode: "async", endpoint, ...opts.rule } as RuleInput],
  });
  return { raw, source, endpoint, url };
}

/** Stubs fetch for `url` only; other URLs reach the real fetch. Returns the calls made to `url`. */
function endpointAnswers(url: string, answer: () => Promise<Response>): Request[] {
  const calls: Request[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== url) return realFetch(input, init);
    calls.push(request);
    return answer();
  });
  return calls;
}

/** Opens the endpoint's breaker in its EndpointGuard object (five reported failures). */
async function openBreaker(raw: ConfigInput, endpoint: string): Promise<void> {
  const loaded = loadConfig(JSON.stringify(raw));
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const ep = loaded.config.endpoints.get(endpoint);
  if (ep === undefined) throw new Error("endpoint missing");
  const failure = { route: "user.*", mode: "async" as const, delivered: false, breaker: "failure" as const, latencyMs: 1, at: Date.now() };
  await testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(endpoint)).sync({
    isolate: "test",
    inflight: 0,
    reports: Array.from({ length: ep.circuit_breaker.failure_threshold }, () => failure),
    cfg: ep.breaker,
    admit: false,
    probeLeaseMs: 0,
  });
}

/** An IDEMPOTENCY namespace whose every shard answers `claim` with `answer` (or throws it). */
function dedupStore(answer: ClaimResult | Error): Env["IDEMPOTENCY"] {
  const shard = {
    claim: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
    complete: async () => undefined,
    release: async () => undefined,
  };
  return { idFromName: (name: string) => testEnv.IDEMPOTENCY.idFromName(name), get: () => shard } as unknown as Env["IDEMPOTENCY"];
}

const sign = (source: string, body: string, headers: Record<string, string> = {}) => signedRequest(`/webhooks/${source}`, body, { headers });

interface Row {
  name: string;
  status: 429 | 503;
  /** The problem type, or null when the gateway passes the endpoint's own answer through. */
  kind: string | null;
  /** Accepted Retry-After range in seconds. */
  range: readonly [number, number];
  run: () => Promise<Response>;
}

const ROWS: readonly Row[] = [
  {
    name: "source rate limit spent",
    status: 429,
    kind: "rate-limited",
    range: [1, 60],
    run: async () => {
      const r = route({ source: { rate_limit: { requests: 1, period_s: 60 } } });
      const env = envWith(r.raw, { DELIVERY_QUEUE: recordingQueue().queue });
      expect((await call(await sign(r.source, userEvent()), env)).status).toBe(202);
      return call(await sign(r.source, userEvent()), env);
    },
  },
  {
    name: "route backlog at max_backlog",
    status: 429,
    kind: "rate-limited",
    range: [1, 60],
    run: async () => {
      const r = route({ rule: { max_backlog: 1 } });
      const env = envWith(r.raw, { DELIVERY_QUEUE: recordingQueue().queue });
      expect((await call(await sign(r.source, userEvent()), env)).status).toBe(202);
      return call(await sign(r.source, userEvent()), env);
    },
  },
  {
    name: "shed_when_open while the endpoint's breaker is open",
    status: 429,
    kind: "rate-limited",
    range: [1, 30],
    run: async () => {
      const r = route({ rule: { shed_when_open: true } });
      await openBreaker(r.raw, r.endpoint);
      return call(await sign(r.source, userEvent()), envWith(r.raw, { DELIVERY_QUEUE: recordingQueue().queue }));
    },
  },
  {
    name: "sync call while the breaker is open (circuit-open)",
    status: 503,
    kind: "circuit-open",
    range: [1, 30],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync" } });
      const calls = endpointAnswers(r.url, async () => new Response("never"));
      await openBreaker(r.raw, r.endpoint);
      const res = await call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw));
      expect(calls).toHaveLength(0);
      return res;
    },
  },
  {
    name: "sync call at 80 % of max_concurrency (overloaded)",
    status: 503,
    kind: "overloaded",
    range: [1, 5],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync", timeout_ms: 5000 }, endpoint: { max_concurrency: 1 } });
      let release: () => void = () => undefined;
      const calls = endpointAnswers(
        r.url,
        () =>
          new Promise<Response>((resolve) => {
            release = () => resolve(new Response("late"));
          }),
      );
      const env = envWith(r.raw);
      const first = call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), env);
      await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 5000, interval: 5 });
      const res = await call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), env);
      release();
      expect((await first).status).toBe(200);
      return res;
    },
  },
  {
    name: "async hand-off failed (queue send throws)",
    status: 503,
    kind: "unavailable",
    range: [1, 5],
    run: async () => {
      const r = route();
      return call(await sign(r.source, userEvent()), envWith(r.raw, { DELIVERY_QUEUE: recordingQueue({ fail: true }).queue }));
    },
  },
  {
    name: "ordered hand-off failed (OrderedStream unreachable)",
    status: 503,
    kind: "unavailable",
    range: [1, 5],
    run: async () => {
      const r = route({ rule: { ordering_key: "body:user_id" } });
      const failing = {
        accept: async () => {
          throw new Error("object unreachable (test)");
        },
      };
      const ordering = { idFromName: (name: string) => testEnv.ORDERING.idFromName(name), get: () => failing } as unknown as Env["ORDERING"];
      return call(await sign(r.source, userEvent()), envWith(r.raw, { ORDERING: ordering }));
    },
  },
  {
    name: "sync fallback to async failed (endpoint 500, queue send throws)",
    status: 503,
    kind: "unavailable",
    range: [1, 5],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync", fallback: "async_dlq" } });
      endpointAnswers(r.url, async () => new Response("down", { status: 500 }));
      return call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw, { DELIVERY_QUEUE: recordingQueue({ fail: true }).queue }));
    },
  },
  {
    name: "dedup store unreachable",
    status: 503,
    kind: "unavailable",
    range: [1, 5],
    run: async () => {
      const r = route();
      return call(await sign(r.source, userEvent()), envWith(r.raw, { IDEMPOTENCY: dedupStore(new Error("shard down (test)")) }));
    },
  },
  {
    name: "dedup busy (the same key still in progress)",
    status: 503,
    kind: "unavailable",
    range: [1, 5],
    run: async () => {
      const r = route();
      return call(await sign(r.source, userEvent()), envWith(r.raw, { IDEMPOTENCY: dedupStore({ kind: "busy" }) }));
    },
  },
  {
    name: "admin replay of a dead letter could not be handed to delivery",
    status: 503,
    kind: "unavailable",
    range: [1, 30],
    run: async () => {
      const id = `msg_RETRYAFTER${unique("").padStart(16, "0")}`;
      const envelope: Envelope = {
        v: 1,
        id,
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        parent_span_id: "00f067aa0ba902b7",
        source: "acme",
        event_type: "user.created",
        route: "user.*",
        endpoint: "profiles",
        queue: "DELIVERY_QUEUE",
        idempotency_key: null,
        content_type: "application/json",
        headers: [],
        body: { kind: "inline", bytes: new TextEncoder().encode("{}") },
        received_at: Date.now(),
        attempt: 3,
        policy: { matrix: [0, 0], max_attempts: 3 },
        last_status: 503,
        last_error: "HTTP 503",
        fallback: null,
        replay_count: 0,
        ordering: null,
      };
      await deadLetters.write({ envelope, reason: "exhausted", attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt: Date.now() });
      const env = envWith(baseConfig(), { DELIVERY_QUEUE: recordingQueue({ fail: true }).queue });
      return call(new Request(`https://gateway.test/admin/dlq/${id}/replay`, { method: "POST", headers: { Authorization: "Bearer test-admin-token" } }), env);
    },
  },
  {
    name: "sync endpoint answered 503 without Retry-After (passed through, fallback none)",
    status: 503,
    kind: null,
    range: [1, 5],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync" } });
      endpointAnswers(r.url, async () => new Response("maintenance", { status: 503 }));
      return call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw));
    },
  },
  {
    name: "sync endpoint answered 503 with Retry-After: 120 (its value is kept)",
    status: 503,
    kind: null,
    range: [120, 120],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync" } });
      endpointAnswers(r.url, async () => new Response("maintenance", { status: 503, headers: { "Retry-After": "120" } }));
      return call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw));
    },
  },
  {
    name: "sync endpoint answered 429 with Retry-After: 7 (passed through as its answer)",
    status: 429,
    kind: null,
    range: [7, 7],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync" } });
      endpointAnswers(r.url, async () => new Response("slow down", { status: 429, headers: { "Retry-After": "7" } }));
      return call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw));
    },
  },
  {
    name: "sync endpoint answered 429 without Retry-After (passed through)",
    status: 429,
    kind: null,
    range: [1, 5],
    run: async () => {
      const r = route({ rule: { event_type: "payment.authorize", mode: "sync" } });
      endpointAnswers(r.url, async () => new Response("slow down", { status: 429 }));
      return call(await sign(r.source, payment(), { "X-Idempotency-Key": unique("k") }), envWith(r.raw));
    },
  },
];

describe("Retry-After on every 429 and 503", () => {
  it.each(ROWS.map((row) => [row.name, row] as const))("%s", async (_name, row) => {
    const res = await row.run();
    if (row.kind === null) expect(res.status).toBe(row.status);
    else await expectProblem(res.clone(), row.status, row.kind);
    const retryAfter = res.headers.get("Retry-After");
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(row.range[0]);
    expect(Number(retryAfter)).toBeLessThanOrEqual(row.range[1]);
  });

  it("covers every problem kind the gateway answers with 429 or 503, each with a Retry-After", () => {
    const samples: Problem[] = [
      { kind: "config-invalid" },
      { kind: "method-not-allowed" },
      { kind: "not-found" },
      { kind: "unknown-source" },
      { kind: "bad-request", detail: "x" },
      { kind: "payload-too-large", limit: 1 },
      { kind: "invalid-signature" },
      { kind: "rate-limited", retryAfterS: 3 },
      { kind: "unknown-event-type" },
      { kind: "unroutable-event", eventType: "x" },
      { kind: "idempotency-key-required" },
      { kind: "ordering-key-missing", orderingKey: "body:x" },
      { kind: "transport-rejected", detail: "x" },
      { kind: "idempotency-key-reused" },
      { kind: "unavailable", retryAfterS: 3 },
      { kind: "upstream-timeout", timeoutMs: 1 },
      { kind: "upstream-error", detail: "x" },
      { kind: "circuit-open", retryAfterS: 3 },
      { kind: "overloaded", retryAfterS: 3 },
      { kind: "unauthorized" },
      { kind: "invalid-input", detail: "x" },
      { kind: "conflict", detail: "x" },
      { kind: "unknown-endpoint", name: "x" },
      { kind: "unknown-dead-letter" },
      { kind: "unsupported-media-type", detail: "x" },
      { kind: "internal" },
    ];
    const throttling = samples.map((p) => [p.kind, toWire(p, "0".repeat(32))] as const).filter(([, wire]) => wire.status === 429 || wire.status === 503);
    for (const [, wire] of throttling) expect(wire.headers["Retry-After"]).toBe("3");
    const tested = new Set(ROWS.flatMap((row) => (row.kind === null ? [] : [row.kind])));
    expect(new Set(throttling.map(([kind]) => kind))).toEqual(tested);
  });
});

describe("per-source rate limit", () => {
  const limited = (requests: number) => ({ verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, rate_limit: { requests, period_s: 60 } });

  it("keeps a separate bucket per source: spending one source's limit leaves another's whole", async () => {
    const a = unique("a");
    const b = unique("b");
    const q = recordingQueue();
    const raw = baseConfig({ sources: { [a]: limited(2), [b]: limited(2) } as ConfigInput["sources"] });
    const env = envWith(raw, { DELIVERY_QUEUE: q.queue });
    const statuses = async (source: string, count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push((await call(await sign(source, userEvent()), env)).status);
      return out;
    };
    expect(await statuses(a, 3)).toEqual([202, 202, 429]);
    expect(await statuses(b, 3)).toEqual([202, 202, 429]);
    expect(q.sent).toHaveLength(4);
  });

  it("counts Retry-After down to the bucket's refill time, then accepts again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.UTC(2030, 0, 1);
    vi.setSystemTime(t0);
    const source = unique("rl");
    const raw = baseConfig({ sources: { [source]: limited(2) } as ConfigInput["sources"] });
    const env = envWith(raw, { DELIVERY_QUEUE: recordingQueue().queue });
    const at = async (ms: number) => {
      vi.setSystemTime(t0 + ms);
      const res = await call(await sign(source, userEvent()), env);
      return res.status === 429 ? Number(res.headers.get("Retry-After")) : res.status;
    };
    // 2 requests per 60 s: one token every 30 s.
    expect([await at(0), await at(0)]).toEqual([202, 202]);
    expect(await at(0)).toBe(30);
    expect(await at(100)).toBe(30);
    expect(await at(10_000)).toBe(20);
    expect(await at(25_000)).toBe(5);
    expect(await at(29_500)).toBe(1);
    expect(await at(30_000)).toBe(202);
    expect(await at(30_000)).toBe(30);
  });
});
