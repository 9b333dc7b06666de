// What the breaker costs a healthy endpoint: sync calls consult the isolate's cached view and
// report in batches, so steady traffic makes about one EndpointGuard call per second, not per request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/http/app";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import type { Runtime } from "../../src/runtime";
import { baseConfig, envWith, signedRequest, testEnv } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
  forgetGuardCache();
});

describe("endpoint guard cost on the hot path", () => {
  it("makes at most one object call per simulated second under steady healthy sync traffic", { timeout: 30_000 }, async () => {
    let clock = Date.now();
    const runtime: Runtime = { now: () => clock, random: Math.random, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) };
    let guardCalls = 0;
    const counting = new Proxy(testEnv.ENDPOINT_GUARD, {
      get(target, prop, receiver) {
        if (prop === "get") guardCalls += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response('{"ok":true}', { status: 200, headers: { "Content-Type": "application/json" } }));
    const e = envWith(baseConfig({
      endpoints: { costly: { url: "http://127.0.0.1:9/cost" } },
      routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: "costly" }],
    }), { ENDPOINT_GUARD: counting });
    const app = createApp(runtime);
    const requests = 150;
    for (let i = 0; i < requests; i++) {
      clock += 20; // 50 requests per simulated second, 3 s in all
      const ctx = createExecutionContext();
      const res = await app.fetch(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", i }), { headers: { "X-Idempotency-Key": `cost-${i}` } }), e, ctx);
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    const perRequest = guardCalls / requests;
    console.log(`guard calls: ${guardCalls} for ${requests} sync requests over 3 simulated seconds (${perRequest.toFixed(3)} per request)`);
    expect(guardCalls).toBeGreaterThanOrEqual(1);
    expect(guardCalls).toBeLessThanOrEqual(4);
  });
});
