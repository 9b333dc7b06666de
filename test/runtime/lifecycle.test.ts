// Endpoint lifecycle (docs/contract.md §6) in the Workers runtime: pause holds async events without
// spending attempts and delivers them on resume; sync calls to a paused or quarantined primary fall
// back or get 503; quarantine by 410, open cycles and failing time; notices once per transition;
// quarantined dead letters replayed by auto_replay routes after resume.
import { describe, expect, it } from "vitest";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { attemptDelivery } from "../../src/delivery/attempt";
import { loadConfig } from "../../src/config/load";
import type { Runtime } from "../../src/runtime";
import { expectProblem, noSleep, portsFor, signedRequest, call, testEnv, testEnvelope } from "./helpers";
import { admin, consumeQueued, isolateEachTest, lifecycleGateway, sendEvent } from "./lifecycle-helpers";

isolateEachTest();

interface View {
  state: string;
  paused_at: string | null;
  pause_reason: string | null;
  quarantined_at: string | null;
  quarantine_reason: string | null;
}

async function view(env: Parameters<typeof admin>[0], name: string): Promise<View> {
  const res = await admin(env, "GET", `/endpoints/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as View;
}

async function deadLetter(id: string): Promise<{ reason: string; attempts: number; status: string; replay_count: number } | null> {
  return testEnv.DB.prepare("SELECT reason, attempts, status, replay_count FROM dead_letters WHERE id = ?").bind(id).first();
}

describe("pause and resume", () => {
  it("holds 20 accepted async events without spending attempts while paused, then delivers each with attempt 1 after resume", async () => {
    const g = lifecycleGateway();
    const paused = await admin(g.env, "POST", `/endpoints/${g.name}/pause`, { reason: "consumer deploy" });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ name: g.name, state: "paused", pause_reason: "consumer deploy", paused_at: expect.any(String) });

    for (let i = 0; i < 20; i++) expect((await sendEvent(g.env)).status).toBe(202);
    const ids = g.queued.map((e) => e.id);
    expect(ids).toHaveLength(20);
    for (let round = 0; round < 3; round++) await consumeQueued(g.env, g.queued);
    expect(g.delivered).toHaveLength(0);
    // Every event waits again with attempt 0 (in any order: a batch is delivered six at a time).
    expect(g.queued.map((e) => [e.id, e.attempt]).sort()).toEqual(ids.map((id) => [id, 0]).sort());

    const resumed = await admin(g.env, "POST", `/endpoints/${g.name}/resume`);
    expect(await resumed.json()).toMatchObject({ state: "active", paused_at: null });
    await consumeQueued(g.env, g.queued);
    expect(g.delivered).toHaveLength(20);
    expect(g.delivered.map((d) => d.headers.get("webhook-id")).sort()).toEqual([...ids].sort());
    for (const d of g.delivered) {
      expect(d.headers.get("X-Retry-Attempt")).toBe("1");
      expect(d.headers.get("X-Request-Start")).toMatch(/^t=[0-9]{13}$/);
    }
    expect(g.queued).toHaveLength(0);
  });

  it("sends one signed endpoint.paused and one endpoint.resumed notice, none for a repeated resume", async () => {
    const g = lifecycleGateway();
    await admin(g.env, "POST", `/endpoints/${g.name}/pause`);
    await admin(g.env, "POST", `/endpoints/${g.name}/pause`);
    await admin(g.env, "POST", `/endpoints/${g.name}/resume`);
    await admin(g.env, "POST", `/endpoints/${g.name}/resume`);
    expect(g.alerts.map((a) => [a["type"], a["endpoint"], a["signed"]])).toEqual([
      ["endpoint.paused", g.name, true],
      ["endpoint.resumed", g.name, true],
    ]);
  });

  it("answers 404 for pause and resume of an unknown endpoint", async () => {
    const g = lifecycleGateway();
    await expectProblem(await admin(g.env, "POST", "/endpoints/nope/pause"), 404, "unknown-endpoint");
    await expectProblem(await admin(g.env, "POST", "/endpoints/nope/resume"), 404, "unknown-endpoint");
  });

  it("answers a sync call to a paused primary with 503 endpoint-paused and Retry-After 60, or with fallback paused", async () => {
    const none = lifecycleGateway();
    await admin(none.env, "POST", `/endpoints/${none.name}/pause`);
    const refused = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" })), none.env);
    await expectProblem(refused, 503, "endpoint-paused");
    expect(refused.headers.get("Retry-After")).toBe("60");

    const fallback = lifecycleGateway({ syncFallback: "async_dlq" });
    await admin(fallback.env, "POST", `/endpoints/${fallback.name}/pause`);
    const accepted = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" })), fallback.env);
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get("X-Fallback")).toBe("async");
    expect(await accepted.json()).toMatchObject({ fallback: "paused" });
    expect(fallback.queued).toHaveLength(1);
    expect(none.delivered.length + fallback.delivered.length).toBe(0);
  });
});

describe("quarantine", () => {
  it("quarantines on a 410 with on_gone, dead-letters later events as quarantined, answers sync 503, and replays them after resume on an auto_replay route", async () => {
    const g = lifecycleGateway({ endpoint: { quarantine: { on_gone: true } }, asyncRule: { auto_replay: true } });
    g.answer(() => new Response("gone", { status: 410 }));
    await sendEvent(g.env);
    const [first] = g.queued;
    await consumeQueued(g.env, g.queued);
    expect((await deadLetter(first?.id ?? ""))?.reason).toBe("gone");
    expect(await view(g.env, g.name)).toMatchObject({ state: "quarantined", quarantine_reason: "gone", quarantined_at: expect.any(String) });

    expect((await sendEvent(g.env)).status).toBe(202);
    const [second] = g.queued;
    await consumeQueued(g.env, g.queued);
    expect(g.delivered).toHaveLength(1);
    expect(await deadLetter(second?.id ?? "")).toMatchObject({ reason: "quarantined", attempts: 0, status: "dead" });

    const sync = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" })), g.env);
    await expectProblem(sync, 503, "endpoint-quarantined");
    expect(sync.headers.get("Retry-After")).toBe("300");

    g.answer(() => new Response("ok"));
    await admin(g.env, "POST", `/endpoints/${g.name}/resume`);
    expect(g.alerts.map((a) => a["type"])).toEqual(["endpoint.quarantined", "endpoint.resumed"]);
    expect(await deadLetter(second?.id ?? "")).toMatchObject({ status: "replayed", replay_count: 1 });
    expect((await deadLetter(first?.id ?? ""))?.status).toBe("dead");
    expect(g.queued.map((e) => e.id)).toEqual([second?.id]);
    await consumeQueued(g.env, g.queued);
    expect(g.delivered.at(-1)?.headers.get("webhook-id")).toBe(second?.id);
  });

  it("quarantines after after_open_cycles breaker openings without a success in between", async () => {
    const g = lifecycleGateway({ endpoint: { quarantine: { after_open_cycles: 2 } } });
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(g.name));
    const cfg = { failureThreshold: 1, recoveryTimeoutMs: 1, halfOpenMaxProbes: 1 };
    const quarantine = { after_open_cycles: 2 };
    const failure = () => ({ route: "user.*", mode: "async" as const, delivered: false, breaker: "failure" as const, latencyMs: 5, at: Date.now(), status: 503 });
    await stub.sync({ isolate: "t", inflight: 0, reports: [failure()], cfg, admit: false, probeLeaseMs: 0, quarantine });
    expect((await stub.snapshot(cfg)).lifecycle.state).toBe("active");
    // The breaker half-opens after its 1 ms recovery: each exchange is I/O, so the object's clock moves.
    let probeId: string | undefined;
    for (let i = 0; i < 100 && probeId === undefined; i++) {
      probeId = (await stub.sync({ isolate: "t", inflight: 0, reports: [], cfg, admit: true, probeLeaseMs: 5_000, quarantine })).admission?.probeId;
    }
    expect(probeId).toBeDefined();
    await stub.probeDone(probeId ?? "", failure(), cfg, "t", 0, quarantine);
    expect((await stub.snapshot(cfg)).lifecycle).toMatchObject({ state: "quarantined", quarantine_reason: "open_cycles" });
  });

  it("quarantines after after_failing_s without a success while attempts were made (fake clock)", async () => {
    const g = lifecycleGateway({ endpoint: { quarantine: { after_failing_s: 60 } } });
    g.answer(() => new Response("down", { status: 503 }));
    let now = Date.parse("2026-01-01T00:00:00Z");
    const runtime: Runtime = { now: () => now, random: () => 0.5, randomBytes: (n) => new Uint8Array(n), sleep: noSleep };
    const ports = portsFor(g.env, runtime);
    const loaded = loadConfig(g.env.GATEWAY_CONFIG);
    if (!loaded.ok) throw new Error("config");
    const endpoint = loaded.config.endpoints.get(g.name);
    if (endpoint === undefined) throw new Error("endpoint");
    const attempt = async () => (await attemptDelivery(ports, loaded.config, endpoint, testEnvelope({ endpoint: g.name, received_at: now }))).decision.kind;
    expect(await attempt()).toBe("retry");
    now += 59_000;
    expect(await attempt()).toBe("retry");
    expect((await view(g.env, g.name)).state).toBe("active");
    now += 1_000;
    expect(await attempt()).toBe("retry");
    expect(await view(g.env, g.name)).toMatchObject({ state: "quarantined", quarantine_reason: "failing" });
    forgetGuardCache();
    expect(await attempt()).toBe("dead_letter");
    expect(g.delivered).toHaveLength(3);
  });
});
