// What the breaker costs a healthy endpoint: sync calls consult the isolate's cached view and
// report in batches, so steady traffic makes about one EndpointGuard call per second, not per request.
// The timed flush sleeps on the test's simulated clock, so the counts do not depend on machine speed.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/http/app";
import { CACHE_TTL_MS, forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import type { Env } from "../../src/env";
import { baseConfig, captureLogsPerTest, envWith, signedRequest, simulatedClock, testEnv, type SimulatedClock } from "./helpers";

captureLogsPerTest();
afterEach(() => forgetGuardCache());

/** An env whose EndpointGuard namespace counts the object calls (one `get` per call). */
function countingEnv(endpoint: string): { env: Env; calls: () => number } {
  let calls = 0;
  const counting = new Proxy(testEnv.ENDPOINT_GUARD, {
    get(target, prop, receiver) {
      if (prop === "get") calls += 1;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const env = envWith(baseConfig({
    endpoints: { [endpoint]: { url: `http://127.0.0.1:9/${endpoint}` } },
    routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint }],
  }), { ENDPOINT_GUARD: counting });
  return { env, calls: () => calls };
}

/**
 * Sends sync calls on the simulated clock. A timed flush is armed in the request that buffers the
 * first outcome after a flush (one at a time per endpoint); when the clock wakes it, the flush is
 * awaited to its end (its request's waitUntil) before the next request, as time would order them.
 */
function trafficOn(clock: SimulatedClock, env: Env) {
  const app = createApp(clock.runtime);
  let armed: ExecutionContext | undefined;
  const settle = async (woke: number) => {
    if (woke === 0) return;
    expect(woke).toBe(1);
    if (armed !== undefined) await waitOnExecutionContext(armed);
    armed = undefined;
  };
  return {
    async send(i: number): Promise<void> {
      const ctx = createExecutionContext();
      const before = clock.pending();
      const res = await app.fetch(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", i }), { headers: { "X-Idempotency-Key": `cost-${crypto.randomUUID()}` } }), env, ctx);
      expect(res.status).toBe(200);
      if (clock.pending() > before) armed = ctx;
      else await waitOnExecutionContext(ctx);
    },
    advance: (ms: number) => settle(clock.advance(ms)),
  };
}

describe("endpoint guard cost on the hot path", () => {
  it("makes one object call for the first view, then one flush per simulated second under steady healthy sync traffic", { timeout: 60_000 }, async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response('{"ok":true}', { status: 200, headers: { "Content-Type": "application/json" } }));
    const clock = simulatedClock();
    const { env, calls } = countingEnv("costly");
    const traffic = trafficOn(clock, env);
    const requests = 150;
    for (let i = 0; i < requests; i++) {
      await traffic.advance(20); // 50 requests per simulated second, 3 s in all
      await traffic.send(i);
    }
    await traffic.advance(CACHE_TTL_MS); // the traffic stops: the last buffered outcomes go out
    // The first view at 0.02 s, then timed flushes at 1.02 s, 2.02 s and after the last request.
    expect(calls()).toBe(4);
    expect(clock.requested).toEqual([CACHE_TTL_MS, CACHE_TTL_MS, CACHE_TTL_MS]);
    expect(clock.pending()).toBe(0);
  });

  it("sends the outcome of a lone call to the endpoint's stats once the traffic stops", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok", { status: 200 }));
    const clock = simulatedClock();
    const { env } = countingEnv("lonely");
    const traffic = trafficOn(clock, env);
    for (let i = 0; i < 3; i++) {
      await traffic.send(i);
      await traffic.advance(CACHE_TTL_MS);
    }
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName("lonely"));
    const snapshot = await stub.snapshot({ failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 });
    expect(snapshot.last_hour.total.delivered).toBe(3);
    expect(clock.pending()).toBe(0);
  });
});
