// Alert tiers, grouping, maintenance windows and silences (docs/contract.md §8), under a fake clock:
// an alert storm of 20 endpoints gives one signed notification per tier; alerts within the group
// window wait for the next one; a silence (POST /admin/silences) suppresses until it ends or is
// deleted; a maintenance window suppresses inside it only. D1 stores, a recording HTTP sender.
import { beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { loadConfig, type Config } from "../../src/config/load";
import { fireAlerts, type Alert } from "../../src/delivery/alerts";
import { alertContext } from "../../src/delivery/scheduled";
import { tierWebhook } from "../../src/delivery/alert-notify";
import { maintenancePaused } from "../../src/core/maintenance";
import { signStandardWebhook } from "../../src/core/signatures";
import { createWorkerApp } from "../../src/wiring";
import type { HttpSender, SendInput } from "../../src/ports/http";
import type { Runtime } from "../../src/runtime";
import type { Env } from "../../src/env";
import { baseConfig, captureLogsPerTest, envWith, noSleep, portsFor, testEnv } from "./helpers";

captureLogsPerTest();

const T0 = Date.parse("2026-03-01T12:00:00Z");
const MIN = 60_000;
const CRITICAL_SECRET = "whsec_Y3JpdGljYWwtYWxlcnQtc2lnbmluZy1zZWNyZXQ=";
const at = (now: number): Runtime => ({ now: () => now, random: () => 0.5, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), sleep: noSleep });

const names = Array.from({ length: 20 }, (_, i) => `ep${String(i).padStart(2, "0")}`);
const raw = baseConfig({
  endpoints: Object.fromEntries(names.map((n, i) => [n, { url: `https://${n}.example.com/hooks`, ...(i < 10 ? { tier: "critical" } : {}) }])),
  routing_rules: [{ event_type: "*", mode: "async", endpoint: "ep00" }],
  maintenance_windows: [
    { endpoints: ["ep19"], start: new Date(T0 + 30 * MIN).toISOString(), end: new Date(T0 + 60 * MIN).toISOString() },
    { endpoints: "*", start: new Date(T0 + 120 * MIN).toISOString(), end: new Date(T0 + 121 * MIN).toISOString(), pause_delivery: true },
  ],
});
const env = envWith(raw, {
  ALERT_WEBHOOK_URL: "https://alerts.example.com/all",
  ALERT_WEBHOOK_URL_CRITICAL: "https://pager.example.com/critical",
  ALERT_SIGNING_SECRET_CRITICAL: CRITICAL_SECRET,
});

function config(): Config {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  return loaded.config;
}

const breaker = (endpoint: string): Alert => ({ kind: "breaker_open", endpoint, state: "open", openSince: T0 - 10 * MIN, openForMs: 10 * MIN });

function recorder(): { http: HttpSender; sent: SendInput[] } {
  const sent: SendInput[] = [];
  return {
    sent,
    http: {
      async send(input) {
        sent.push(input);
        return { result: { kind: "response", status: 204 }, response: null, latencyMs: 1 };
      },
    },
  };
}

async function run(now: number, alerts: Alert[], http: HttpSender, e: Env = env): Promise<number> {
  const ports = portsFor(e, at(now));
  return fireAlerts({ ...ports, http, webhookFor: (tier) => tierWebhook(ports.secrets, tier) }, alerts, alertContext(config()));
}

const payload = (s: SendInput) =>
  JSON.parse(new TextDecoder().decode(s.body)) as { tier: string; count: number; endpoints: string[]; alerts: { alert: string; endpoint: string }[] };

async function admin(method: string, path: string, now: number, body?: unknown): Promise<Response> {
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await createWorkerApp(at(now)).fetch(new Request(`https://gateway.test/admin${path}`, init), { ...env, ADMIN_TOKEN: "test-admin-token" }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

beforeEach(async () => {
  await testEnv.DB.batch([testEnv.DB.prepare("DELETE FROM alerts"), testEnv.DB.prepare("DELETE FROM alert_pending"), testEnv.DB.prepare("DELETE FROM silences")]);
});

describe("alert tiers and grouping", () => {
  it("turns an alert storm of 20 endpoints into one signed notification per tier", async () => {
    const { http, sent } = recorder();
    expect(await run(T0, names.map(breaker), http)).toBe(20);
    expect(sent).toHaveLength(2);
    const byTier = new Map(sent.map((s) => [payload(s).tier, s]));
    const critical = byTier.get("critical");
    const rest = byTier.get("default");
    if (critical === undefined || rest === undefined) throw new Error("a tier is missing");
    expect(critical.url).toBe("https://pager.example.com/critical");
    expect(rest.url).toBe("https://alerts.example.com/all");
    expect(payload(critical)).toMatchObject({ count: 10, endpoints: names.slice(0, 10) });
    expect(payload(rest)).toMatchObject({ count: 10, endpoints: names.slice(10) });
    expect(payload(critical).alerts.every((a) => a.alert === "breaker_open")).toBe(true);
    const id = critical.headers.get("webhook-id") ?? "";
    const ts = Number(critical.headers.get("webhook-timestamp"));
    expect(critical.headers.get("webhook-signature")).toBe(await signStandardWebhook({ id, timestampS: ts, body: critical.body, secrets: [CRITICAL_SECRET] }));
    expect(rest.headers.get("webhook-signature")).toBeNull();
  });

  it("holds alerts raised later in the window for the tier's next notification", async () => {
    const { http, sent } = recorder();
    await run(T0, [breaker("ep00")], http);
    await run(T0 + MIN, [breaker("ep01"), breaker("ep02")], http);
    await run(T0 + 4 * MIN, [breaker("ep03")], http);
    expect(sent).toHaveLength(1);
    await run(T0 + 5 * MIN, [], http);
    expect(sent).toHaveLength(2);
    const second = sent[1];
    if (second === undefined) throw new Error("no second notification");
    expect(payload(second)).toMatchObject({ tier: "critical", count: 3, endpoints: ["ep01", "ep02", "ep03"] });
  });
});

describe("silences and maintenance windows", () => {
  it("suppresses an endpoint's alerts while a silence lasts; the alert fires once it ends", async () => {
    const { http, sent } = recorder();
    const created = await admin("POST", "/silences", T0, { endpoints: ["ep00"], until: new Date(T0 + 10 * MIN).toISOString(), reason: "deploy" });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; endpoints: string[]; until: string; reason: string; created_at: string };
    expect(silence).toMatchObject({ endpoints: ["ep00"], until: "2026-03-01T12:10:00.000Z", reason: "deploy", created_at: "2026-03-01T12:00:00.000Z" });
    expect(((await (await admin("GET", "/silences", T0 + MIN)).json()) as { items: unknown[] }).items).toHaveLength(1);

    expect(await run(T0 + MIN, [breaker("ep00"), breaker("ep10")], http)).toBe(1);
    expect(sent.map((s) => payload(s).endpoints)).toEqual([["ep10"]]);
    expect(await run(T0 + 10 * MIN - 1, [breaker("ep00")], http)).toBe(0);
    expect(await run(T0 + 10 * MIN, [breaker("ep00")], http)).toBe(1);
    expect(((await (await admin("GET", "/silences", T0 + 10 * MIN)).json()) as { items: unknown[] }).items).toHaveLength(0);
  });

  it("ends a silence on DELETE (204, then 404), restoring its alerts at once", async () => {
    const { http } = recorder();
    const created = (await (await admin("POST", "/silences", T0, { endpoints: "*", until: new Date(T0 + 60 * MIN).toISOString() })).json()) as { id: string };
    expect(await run(T0 + MIN, [breaker("ep05")], http)).toBe(0);
    expect((await admin("DELETE", `/silences/${created.id}`, T0 + 2 * MIN)).status).toBe(204);
    expect((await admin("DELETE", `/silences/${created.id}`, T0 + 2 * MIN)).status).toBe(404);
    expect(await run(T0 + 2 * MIN, [breaker("ep05")], http)).toBe(1);
  });

  it("refuses a silence in the past or of an unknown endpoint", async () => {
    expect((await admin("POST", "/silences", T0, { endpoints: ["ep00"], until: new Date(T0 - 1).toISOString() })).status).toBe(400);
    expect((await admin("POST", "/silences", T0, { endpoints: ["nope"], until: new Date(T0 + MIN).toISOString() })).status).toBe(400);
  });

  it("suppresses alerts inside a maintenance window only, and pauses delivery only with pause_delivery", async () => {
    const { http } = recorder();
    expect(await run(T0 + 30 * MIN - 1, [breaker("ep19")], http)).toBe(1);
    await testEnv.DB.prepare("DELETE FROM alerts").run();
    expect(await run(T0 + 30 * MIN, [breaker("ep19")], http)).toBe(0);
    expect(await run(T0 + 60 * MIN - 1, [breaker("ep19")], http)).toBe(0);
    expect(await run(T0 + 60 * MIN, [breaker("ep19")], http)).toBe(1);
    const c = config();
    expect(maintenancePaused(c, "ep19", T0 + 45 * MIN)).toBe(false);
    expect(maintenancePaused(c, "ep03", T0 + 120 * MIN - 1)).toBe(false);
    expect(maintenancePaused(c, "ep03", T0 + 120 * MIN)).toBe(true);
    expect(maintenancePaused(c, "ep03", T0 + 121 * MIN)).toBe(false);
  });
});
