// Delivery lag (docs/contract.md §7): now − accepted_at at attempt start per route in /admin/stats
// (p50/p95/max over the last hour), a rule's max_lag_s raising a `lag` alert, X-Request-Start on
// deliveries, and an incoming X-Request-Start logged as the producer-side queue time.
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { runScheduled } from "../../src/delivery/scheduled";
import { call, portsFor, signedRequest } from "./helpers";
import { admin, consumeQueued, isolateEachTest, lifecycleGateway, sendEvent } from "./lifecycle-helpers";

let lines: Record<string, unknown>[] = [];
isolateEachTest((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
beforeEach(() => {
  lines = [];
});

describe("delivery lag", () => {
  it("reports p50/p95/max lag per route in /admin/stats and raises a lag alert above max_lag_s", async () => {
    const g = lifecycleGateway({ asyncRule: { max_lag_s: 60 } });
    await sendEvent(g.env);
    await sendEvent(g.env);
    const [late, onTime] = g.queued;
    if (late === undefined || onTime === undefined) throw new Error("two events expected");
    late.received_at -= 120_000;
    await consumeQueued(g.env, g.queued);
    expect(g.delivered.map((d) => d.headers.get("X-Request-Start"))).toEqual(expect.arrayContaining([`t=${late.received_at}`, `t=${onTime.received_at}`]));

    const stats = (await (await admin(g.env, "GET", "/stats")).json()) as { routes: { route: string; endpoint: string; lag_ms: { p50: number; p95: number; max: number } }[] };
    const route = stats.routes.find((r) => r.endpoint === g.name && r.route === "user.*");
    expect(route?.lag_ms.max).toBeGreaterThanOrEqual(120_000);
    expect(route?.lag_ms.max).toBeLessThan(130_000);
    expect(route?.lag_ms.p95).toBeGreaterThanOrEqual(120_000);
    expect(route?.lag_ms.p50).toBeLessThan(1_000);

    const loaded = loadConfig(g.env.GATEWAY_CONFIG);
    await runScheduled(portsFor(g.env), loaded);
    expect(g.alerts).toEqual([expect.objectContaining({ alert: "lag", route: "user.*", endpoint: g.name, max_lag_s: 60 })]);
  });

  it("logs an incoming X-Request-Start as the producer-side queue time", async () => {
    const g = lifecycleGateway();
    const stamp = Date.now() - 1_500;
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" }), { headers: { "X-Request-Start": `t=${stamp}` } }), g.env);
    expect(res.status).toBe(202);
    const ingress = lines.find((l) => l["event"] === "ingress");
    expect(ingress?.["producer_queue_ms"]).toBeGreaterThanOrEqual(1_500);
    expect(ingress?.["producer_queue_ms"]).toBeLessThan(60_000);
  });
});
