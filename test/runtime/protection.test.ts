// Per-source rate limits and route backpressure at ingress (the Protection issue).
import { beforeEach, describe, expect, it } from "vitest";
import { baseConfig, call, envWith, expectProblem, recordingQueue, signedRequest, testEnv } from "./helpers";
import { forgetRateLeases } from "../../src/adapters/rate-limit-client";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { loadConfig } from "../../src/config/load";
import type { Env } from "../../src/env";

beforeEach(() => {
  forgetRateLeases();
  forgetGuardCache();
});

let n = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${n++}`;

function configWith(source: string, sourceExtra: Record<string, unknown>, rule: Record<string, unknown>, endpoint: string) {
  const base = baseConfig();
  return {
    ...base,
    sources: { ...base.sources, [source]: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, ...sourceExtra } },
    endpoints: { ...base.endpoints, [endpoint]: { url: "http://127.0.0.1:9/limited" } },
    routing_rules: [{ event_type: "user.*", mode: "async", endpoint, ...rule }],
  };
}

const event = () => JSON.stringify({ type: "user.created", user_id: "u1" });

describe("per-source rate limit", () => {
  it("answers 429 rate-limited with Retry-After once the source's limit is spent", async () => {
    const source = unique("rl");
    const { queue, sent } = recordingQueue();
    const e = envWith(configWith(source, { rate_limit: { requests: 3, period_s: 60 } }, {}, unique("ep")), { DELIVERY_QUEUE: queue });
    for (let i = 0; i < 3; i++) expect((await call(await signedRequest(`/webhooks/${source}`, event()), e)).status).toBe(202);
    const res = await call(await signedRequest(`/webhooks/${source}`, event()), e);
    await expectProblem(res, 429, "rate-limited");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get("Retry-After"))).toBeLessThanOrEqual(20);
    expect(sent).toHaveLength(3);
  });

  it("does not count requests that fail verification against the source's limit", async () => {
    const source = unique("rl");
    const e = envWith(configWith(source, { rate_limit: { requests: 1, period_s: 60 } }, {}, unique("ep")), { DELIVERY_QUEUE: recordingQueue().queue });
    const forged = await signedRequest(`/webhooks/${source}`, event(), { secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    expect((await call(forged, e)).status).toBe(401);
    expect((await call(await signedRequest(`/webhooks/${source}`, event()), e)).status).toBe(202);
  });

  it("never calls the rate limiter object for a source without a limit", async () => {
    const source = unique("free");
    let calls = 0;
    const counting = new Proxy(testEnv.RATE_LIMITER, {
      get(target, prop, receiver) {
        calls += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const e = envWith(configWith(source, {}, {}, unique("ep")), { DELIVERY_QUEUE: recordingQueue().queue, RATE_LIMITER: counting });
    for (let i = 0; i < 5; i++) expect((await call(await signedRequest(`/webhooks/${source}`, event()), e)).status).toBe(202);
    expect(calls).toBe(0);
  });
});

describe("backpressure", () => {
  it("answers 429 with Retry-After when the route's backlog reaches max_backlog", async () => {
    const source = unique("bp");
    const { queue, sent } = recordingQueue();
    const e = envWith(configWith(source, {}, { max_backlog: 2 }, unique("ep")), { DELIVERY_QUEUE: queue });
    expect((await call(await signedRequest(`/webhooks/${source}`, event()), e)).status).toBe(202);
    expect((await call(await signedRequest(`/webhooks/${source}`, event()), e)).status).toBe(202);
    const res = await call(await signedRequest(`/webhooks/${source}`, event()), e);
    await expectProblem(res, 429, "rate-limited");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(sent).toHaveLength(2);
  });

  it("answers 429 while the endpoint's breaker is open when the route says shed_when_open", async () => {
    const source = unique("so");
    const endpoint = unique("ep");
    const config = configWith(source, {}, { shed_when_open: true }, endpoint);
    const e: Env = envWith(config, { DELIVERY_QUEUE: recordingQueue().queue });
    const loaded = loadConfig(JSON.stringify(config));
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const ep = loaded.config.endpoints.get(endpoint);
    if (ep === undefined) throw new Error("endpoint missing");
    const failure = { route: "user.*", mode: "async" as const, delivered: false, breaker: "failure" as const, latencyMs: 1, at: Date.now() };
    await testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(endpoint)).sync({
      isolate: "test",
      inflight: 0,
      reports: Array.from({ length: 5 }, () => failure),
      cfg: ep.breaker,
      admit: false,
      probeLeaseMs: 0,
    });
    const res = await call(await signedRequest(`/webhooks/${source}`, event()), e);
    await expectProblem(res, 429, "rate-limited");
    const retryAfter = Number(res.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });
});
