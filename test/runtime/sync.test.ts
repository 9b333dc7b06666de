// Sync routes (docs/contract.md §2 "Sync routes", §3 headers): pass-through, the delivered request, redirects,
// timeouts, fallback to async, the breaker, shedding and dedup. The endpoint is a fetch stub keyed on
// its URL; each test uses its own endpoint name so the per-isolate guard state never leaks between tests.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Envelope } from "../../src/core/envelope";
import type { ConfigInput } from "../../src/config/schema";
import { verifyStandardWebhooks } from "../../src/core/signatures";
import { baseConfig, call, envWith, expectProblem, expectStamped, recordingQueue, signedRequest, SIGNING_SECRET, SW_SECRET } from "./helpers";

interface Delivered {
  request: Request;
  body: Uint8Array;
  init: RequestInit | undefined;
}
type Handler = (d: Delivered) => Promise<Response>;

let endpointCounter = 0;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A sync route to a fresh endpoint whose fetch is answered by `handler`; other URLs go to the real fetch. */
function syncRoute(handler: Handler, opts: { rule?: Partial<ConfigInput["routing_rules"][number]>; endpoint?: Record<string, unknown> } = {}) {
  const name = `sync-${++endpointCounter}-${crypto.randomUUID().slice(0, 8)}`;
  const url = `http://127.0.0.1:9/endpoints/${name}`;
  const config = baseConfig({
    endpoints: { [name]: { url, signing_secrets: ["PROFILES_SIGNING_SECRET"], ...opts.endpoint } },
    routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: name, timeout_ms: 2000, ...opts.rule }],
  });
  const q = recordingQueue();
  const env = envWith(config, { DELIVERY_QUEUE: q.queue });
  const calls: Delivered[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== url) return realFetch(input, init);
    const delivered = { request, body: new Uint8Array(await request.clone().arrayBuffer()), init };
    calls.push(delivered);
    return handler(delivered);
  });
  return { env, calls, sent: q.sent };
}

const payment = JSON.stringify({ type: "payment.authorize", amount: 1200, currency: "EUR" });
const pay = (headers: Record<string, string> = {}, body: string | Uint8Array = payment) => signedRequest("/webhooks/acme", body, { headers });

/** Resolves when the abort signal fires, like a real fetch under AbortSignal.timeout. */
const hang: Handler = ({ init }) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal;
    signal?.addEventListener("abort", () => reject(signal.reason));
  });

describe("pass-through", () => {
  for (const [status, contentType, text] of [
    [200, "application/vnd.acme+json", '{"approved":true}'],
    [404, "text/plain; charset=utf-8", "no such card"],
    [500, "application/json", '{"error":"boom"}'],
  ] as const) {
    it(`returns the endpoint's ${status} with its body and Content-Type, X-Downstream-Latency and X-Trace-Id`, async () => {
      const { env, calls, sent } = syncRoute(async () => new Response(text, { status, headers: { "Content-Type": contentType, "X-Internal": "secret" } }));
      const res = await call(await pay(), env);
      expect(res.status).toBe(status);
      expect(res.headers.get("Content-Type")).toBe(contentType);
      expect(await res.text()).toBe(text);
      expect(res.headers.get("X-Downstream-Latency")).toMatch(/^[0-9]+$/);
      expect(res.headers.get("X-Internal")).toBeNull();
      const traceId = expectStamped(res);
      expect(calls[0]?.request.headers.get("X-Trace-Id")).toBe(traceId);
      expect(calls).toHaveLength(1);
      expect(sent).toHaveLength(0);
    });
  }
});

describe("bodiless answers", () => {
  for (const status of [204, 205]) {
    it(`passes a ${status} through without a body`, async () => {
      const { env, calls } = syncRoute(async () => new Response(null, { status }));
      const res = await call(await pay(), env);
      expect(res.status).toBe(status);
      expect(await res.text()).toBe("");
      expect(res.headers.get("X-Downstream-Latency")).toMatch(/^[0-9]+$/);
      expectStamped(res);
      expect(calls).toHaveLength(1);
    });
  }
});

describe("the delivered request", () => {
  it("carries the exact body, the docs/contract.md §3 headers and a signature verifiable with the endpoint's secret", async () => {
    const { env, calls } = syncRoute(async () => new Response("ok"), { rule: { forward_headers: ["Authorization", "Cookie", "X-Custom", "webhook-signature"] } });
    const bytes = new Uint8Array([...new TextEncoder().encode(payment), 0xff, 0x00, 0xc3]);
    const producer = await pay(
      {
        "Content-Type": "application/x-acme",
        "X-Idempotency-Key": "order-42-attempt",
        Authorization: "Bearer producer-token",
        Cookie: "session=abc",
        "X-Custom": "kept",
        "X-Event-Type": "payment.authorize",
      },
      bytes,
    );
    const producerSignature = producer.headers.get("webhook-signature");
    const res = await call(producer, env);
    expect(res.status).toBe(200);
    const traceId = res.headers.get("X-Trace-Id") ?? "";
    const [d] = calls;
    if (d === undefined) throw new Error("the endpoint was not called");
    const h = d.request.headers;
    expect(d.request.method).toBe("POST");
    expect(d.init?.redirect).toBe("manual");
    expect([...d.body]).toEqual([...bytes]);
    expect(h.get("Content-Type")).toBe("application/x-acme");
    expect(h.get("webhook-id")).toBe(res.headers.get("X-Message-Id"));
    expect(Math.abs(Number(h.get("webhook-timestamp")) - Date.now() / 1000)).toBeLessThan(30);
    expect(h.get("X-Event-Type")).toBe("payment.authorize");
    expect(h.get("X-Gateway-Source")).toBe("acme");
    expect(h.get("X-Trace-Id")).toBe(traceId);
    expect(h.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(h.get("X-Idempotency-Key")).toBe("order-42-attempt");
    expect(h.get("X-Callback-Mode")).toBe("sync");
    expect(h.get("X-Retry-Attempt")).toBe("1");
    expect(h.get("X-Custom")).toBe("kept");
    expect(h.get("Authorization")).toBeNull();
    expect(h.get("Cookie")).toBeNull();
    expect(h.get("webhook-signature")).not.toBe(producerSignature);
    const verify = (secret: string) => verifyStandardWebhooks({ headers: h, body: d.body, secrets: [secret], toleranceS: 300, nowMs: Date.now() });
    expect(await verify(SIGNING_SECRET)).toMatchObject({ ok: true });
    expect(await verify(SW_SECRET)).toMatchObject({ ok: false });
  });
});

describe("failures without fallback", () => {
  it("never follows a redirect: a 302 is a failure, 502 upstream-error", async () => {
    const { env, calls } = syncRoute(async () => new Response(null, { status: 302, headers: { Location: "http://169.254.169.254/" } }));
    await expectProblem(await call(await pay(), env), 502, "upstream-error");
    expect(calls).toHaveLength(1);
  });

  it("answers 502 upstream-error when the endpoint cannot be reached", async () => {
    const { env } = syncRoute(async () => {
      throw new TypeError("Network connection lost.");
    });
    await expectProblem(await call(await pay(), env), 502, "upstream-error");
  });

  it("answers 504 upstream-timeout when the endpoint does not answer within timeout_ms", async () => {
    const { env, calls, sent } = syncRoute(hang, { rule: { timeout_ms: 50 } });
    const body = await expectProblem(await call(await pay(), env), 504, "upstream-timeout");
    expect(body.detail).toContain("50 ms");
    expect(calls).toHaveLength(1);
    expect(sent).toHaveLength(0);
  });
});

describe("fallback to async (async_dlq)", () => {
  it("answers a timeout with 202 fallback timeout and enqueues the same message id and body bytes", async () => {
    const { env, sent } = syncRoute(hang, { rule: { timeout_ms: 50, fallback: "async_dlq" } });
    const res = await call(await pay(), env);
    expect(res.status).toBe(202);
    expect(res.headers.get("X-Fallback")).toBe("async");
    const body = (await res.json()) as Record<string, string>;
    expect(body).toEqual({
      id: res.headers.get("X-Message-Id"),
      trace_id: expectStamped(res),
      mode: "async",
      status: "queued",
      destinations: [expect.stringMatching(/^sync-/)],
      fallback: "timeout",
    });
    expect(sent).toHaveLength(1);
    const envelope = sent[0] as Envelope;
    expect(envelope).toMatchObject({ id: body["id"], trace_id: body["trace_id"], fallback: "timeout", attempt: 0, event_type: "payment.authorize" });
    expect(envelope.body.kind === "inline" ? new TextDecoder().decode(envelope.body.bytes) : "").toBe(payment);
  });

  it("answers a 5xx with 202 fallback upstream_error", async () => {
    const { env, sent } = syncRoute(async () => new Response("down", { status: 503 }), { rule: { fallback: "async_dlq" } });
    const res = await call(await pay(), env);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { fallback: string }).fallback).toBe("upstream_error");
    expect(sent).toHaveLength(1);
  });
});

describe("circuit breaker", () => {
  it("answers 503 circuit-open with Retry-After after failure_threshold failures, without calling the endpoint", async () => {
    const { env, calls } = syncRoute(async () => new Response("err", { status: 500 }), { endpoint: { circuit_breaker: { failure_threshold: 2 } } });
    expect((await call(await pay(), env)).status).toBe(500);
    expect((await call(await pay(), env)).status).toBe(500);
    const res = await call(await pay(), env);
    await expectProblem(res, 503, "circuit-open");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(calls).toHaveLength(2);
  });

  it("does not count 4xx answers as failures", async () => {
    const { env, calls } = syncRoute(async () => new Response("no", { status: 422 }), { endpoint: { circuit_breaker: { failure_threshold: 1 } } });
    for (let i = 0; i < 3; i++) expect((await call(await pay(), env)).status).toBe(422);
    expect(calls).toHaveLength(3);
  });

  it("falls back with fallback circuit_open while the breaker is open", async () => {
    const { env, calls, sent } = syncRoute(hang, { rule: { timeout_ms: 30, fallback: "async_dlq" }, endpoint: { circuit_breaker: { failure_threshold: 1 } } });
    expect(((await (await call(await pay(), env)).json()) as { fallback: string }).fallback).toBe("timeout");
    const res = await call(await pay(), env);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { fallback: string }).fallback).toBe("circuit_open");
    expect(calls).toHaveLength(1);
    expect(sent).toHaveLength(2);
  });
});

describe("shedding", () => {
  async function fourInFlight(rule: Partial<ConfigInput["routing_rules"][number]> = {}) {
    const releases: Array<() => void> = [];
    const route = syncRoute(() => new Promise<Response>((resolve) => releases.push(() => resolve(new Response("late")))), {
      endpoint: { max_concurrency: 5 },
      rule,
    });
    const inFlight = Promise.all(Array.from({ length: 4 }, async () => call(await pay(), route.env)));
    await vi.waitFor(() => expect(route.calls).toHaveLength(4), { timeout: 5000, interval: 5 });
    return {
      ...route,
      finish: async () => {
        for (const r of releases) r();
        return inFlight;
      },
    };
  }

  it("answers 503 overloaded with Retry-After at 80 % of max_concurrency, without calling the endpoint", async () => {
    const route = await fourInFlight();
    const res = await call(await pay(), route.env);
    await expectProblem(res, 503, "overloaded");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(route.calls).toHaveLength(4);
    expect((await route.finish()).map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it("falls back with fallback shed when the route has async_dlq", async () => {
    const route = await fourInFlight({ fallback: "async_dlq" });
    const res = await call(await pay(), route.env);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { fallback: string }).fallback).toBe("shed");
    expect(route.sent).toHaveLength(1);
    await route.finish();
  });
});

describe("dedup", () => {
  it("answers a duplicate key with the stored answer without calling the endpoint again", async () => {
    const { env, calls } = syncRoute(async () => new Response('{"approved":true}', { status: 201, headers: { "Content-Type": "application/json" } }));
    const first = await call(await pay({ "X-Idempotency-Key": "pay-once" }), env);
    const second = await call(await pay({ "X-Idempotency-Key": "pay-once" }), env);
    expect(second.status).toBe(201);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("Content-Type")).toBe("application/json");
    expect(second.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(calls).toHaveLength(1);
  });

  it("makes a concurrent duplicate wait for the first call's answer instead of calling twice", async () => {
    let release: () => void = () => undefined;
    const { env, calls } = syncRoute(
      () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(new Response("first", { status: 200 }));
        }),
    );
    const first = call(await pay({ "X-Idempotency-Key": "pay-concurrent" }), env);
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 5000, interval: 5 });
    const second = call(await pay({ "X-Idempotency-Key": "pay-concurrent" }), env);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(await a.text()).toBe("first");
    expect(await b.text()).toBe("first");
    expect(b.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(calls).toHaveLength(1);
  });
});
