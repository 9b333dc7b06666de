// What the breaker costs a healthy endpoint: sync calls consult the isolate's cached view and
// report in batches, so steady traffic makes about one EndpointGuard call per second, not per request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createWorkerApp } from "../../src/wiring";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { baseConfig, envWith, signedRequest, simulatedClock, testEnv } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
  forgetGuardCache();
});

describe("endpoint guard cost on the hot path", () => {
  it("makes at most one object call per simulated second under steady healthy sync traffic", { timeout: 30_000 }, async () => {
    // One clock drives both the requests and the guard's one-second flush timer (no real timers).
    const clock = simulatedClock();
    const advance = (ms: number) => clock.advance(ms);
    let guardCalls = 0;
    const counting = new Proxy(testEnv.ENDPOINT_GUARD, {
      get(target, prop, receiver) {
        if (prop === "get") guardCalls += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response('{"ok":true}', { status: 200, headers: { "Content-Type": "application/json" } }));
    const e = envWith(
      baseConfig({
        endpoints: { costly: { url: "http://127.0.0.1:9/cost" } },
        routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: "costly" }],
      }),
      { ENDPOINT_GUARD: counting },
    );
    const app = createWorkerApp(clock.runtime);
    const requests = 150;
    const contexts: ExecutionContext[] = [];
    for (let i = 0; i < requests; i++) {
      advance(20); // 50 requests per simulated second, 3 s in all
      const ctx = createExecutionContext();
      contexts.push(ctx);
      const res = await app.fetch(
        await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", i }), { headers: { "X-Idempotency-Key": `cost-${i}` } }),
        e,
        ctx,
      );
      expect(res.status).toBe(200);
    }
    advance(1_000); // the last trailing flush
    await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    // The first view, then one exchange per simulated second (trailing flush or refresh, never both).
    expect(guardCalls).toBeGreaterThanOrEqual(3);
    expect(guardCalls).toBeLessThanOrEqual(5);
    expect(guardCalls / requests).toBeLessThanOrEqual(0.05);
  });

  it("sends the outcome of a lone call to the endpoint's stats once the traffic stops", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok", { status: 200 }));
    const e = envWith(
      baseConfig({
        endpoints: { lonely: { url: "http://127.0.0.1:9/lonely" } },
        routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: "lonely" }],
      }),
    );
    const app = createWorkerApp();
    for (let i = 0; i < 3; i++) {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", i }), { headers: { "X-Idempotency-Key": `lonely-${i}` } }),
        e,
        ctx,
      );
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("lonely"));
    const snapshot = await stub.snapshot({ failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 });
    expect(snapshot.last_hour.total.delivered).toBe(3);
  });
});
