// The audit log through the admin API: every state-changing route leaves a row with its actor,
// action, target, parameters, result and count (a bulk replay's), and GET /admin/audit filters and pages.
import { beforeEach, describe, expect, it } from "vitest";
import { d1AuditStore, d1DeadLetterStore } from "../../src/adapters/d1";
import { loadConfig } from "../../src/config/load";
import { runScheduled } from "../../src/delivery/scheduled";
import { AuditPageSchema } from "../../src/http/admin/docs/schemas";
import { sha256Hex } from "./access-helpers";
import { baseConfig, call, envWith, portsFor, recordingQueue, testEnv, testEnvelope } from "./helpers";

const OPERATE = "operate-token-for-audit-tests";
const READ = "read-token-for-audit-tests";
const deadLetters = d1DeadLetterStore(testEnv.DB);

async function env() {
  const tokens = [
    { name: "ops-bot", token_sha256: await sha256Hex(OPERATE), scope: "operate" },
    { name: "viewer", token_sha256: await sha256Hex(READ), scope: "read" },
  ];
  return envWith(baseConfig(), { ADMIN_TOKENS: JSON.stringify(tokens), DELIVERY_QUEUE: recordingQueue().queue });
}

function request(path: string, token: string, init: { method?: string; json?: unknown } = {}): Request {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  return new Request(`https://gateway.test/admin${path}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
}

async function seed(endpoint = "profiles"): Promise<string> {
  const envelope = testEnvelope({ endpoint }, "msg_AUDIT");
  await deadLetters.write({ envelope, reason: "exhausted", attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt: Date.now() });
  return envelope.id;
}

async function audit(query: string, token = READ) {
  const res = await call(request(`/audit${query}`, token), await env());
  expect(res.status).toBe(200);
  return AuditPageSchema.parse(await res.json());
}

beforeEach(async () => {
  await testEnv.DB.batch([testEnv.DB.prepare("DELETE FROM dead_letters"), testEnv.DB.prepare("DELETE FROM audit_log")]);
});

describe("audit log of admin actions", () => {
  it("records replay, bulk replay with its filter and count, delete and reset, with the token's name", async () => {
    const e = await env();
    const one = await seed();
    const doomed = await seed();
    for (let i = 0; i < 3; i++) await seed("payments");
    expect((await call(request(`/dlq/${one}/replay`, OPERATE, { method: "POST" }), e)).status).toBe(202);
    const bulk = await call(request("/dlq/replay", OPERATE, { method: "POST", json: { endpoint: "payments", limit: 2 } }), e);
    expect(await bulk.json()).toEqual({ replayed: 2 });
    expect((await call(request(`/dlq/${doomed}`, OPERATE, { method: "DELETE" }), e)).status).toBe(204);
    expect((await call(request("/dlq/msg_missing", OPERATE, { method: "DELETE" }), e)).status).toBe(404);
    expect((await call(request("/endpoints/payments/reset", OPERATE, { method: "POST" }), e)).status).toBe(200);

    const page = await audit("?actor=ops-bot");
    const rows = page.items.map(({ action, target, params, result, count, actor_via, channel }) => ({ action, target, params, result, count, actor_via, channel }));
    // Entries of the same millisecond have no order among them: compare as a set.
    expect(rows).toHaveLength(5);
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: "endpoint.reset", target: "payments", params: {}, result: "ok", count: null, actor_via: "token", channel: "api" },
        { action: "dead_letter.delete", target: "msg_missing", params: {}, result: "not_found", count: null, actor_via: "token", channel: "api" },
        { action: "dead_letter.delete", target: doomed, params: {}, result: "deleted", count: null, actor_via: "token", channel: "api" },
        { action: "dead_letter.bulk_replay", target: null, params: { endpoint: "payments", limit: 2, failed: 0 }, result: "ok", count: 2, actor_via: "token", channel: "api" },
        { action: "dead_letter.replay", target: one, params: {}, result: "queued", count: null, actor_via: "token", channel: "api" },
      ]),
    );
    for (const item of page.items) expect(item.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("records nothing for reads or refused requests", async () => {
    const e = await env();
    const id = await seed();
    await call(request("/dlq", READ), e);
    expect((await call(request(`/dlq/${id}/replay`, READ, { method: "POST" }), e)).status).toBe(403);
    expect((await call(request(`/dlq/${id}/replay`, "wrong", { method: "POST" }), e)).status).toBe(401);
    expect((await audit("")).items).toEqual([]);
  });

  it("filters by action and since, and pages with next_cursor", async () => {
    const e = await env();
    for (let i = 0; i < 3; i++) await call(request("/endpoints/profiles/reset", OPERATE, { method: "POST" }), e);
    await call(request("/dlq/msg_none", OPERATE, { method: "DELETE" }), e);
    expect((await audit("?action=endpoint.reset")).items).toHaveLength(3);
    expect((await audit(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).items).toEqual([]);
    const first = await audit("?limit=3");
    expect(first.items).toHaveLength(3);
    expect(first.next_cursor).not.toBeNull();
    const second = await audit(`?limit=3&cursor=${encodeURIComponent(first.next_cursor ?? "")}`);
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    const bad = await call(request("/audit?since=yesterday", READ), e);
    expect(bad.status).toBe(400);
  });

  it("is purged by the scheduled run after dlq_retention_hours, like dead letters", async () => {
    const store = d1AuditStore(testEnv.DB);
    const base = {
      actor: "ops-bot",
      actor_via: "token",
      channel: "api",
      action: "endpoint.reset",
      target: "profiles",
      params: "{}",
      result: "ok",
      count: null,
      trace_id: "0af7651916cd43dd8448eb211c80319c",
    } as const;
    await store.record({ ...base, id: "aud_old", at: Date.now() - 25 * 3_600_000 });
    await store.record({ ...base, id: "aud_new", at: Date.now() - 23 * 3_600_000 });
    const e = envWith(baseConfig({ dlq_retention_hours: 24 }));
    await runScheduled(portsFor(e), loadConfig(e.GATEWAY_CONFIG));
    expect((await store.list({ limit: 10, after: null })).rows.map((r) => r.id)).toEqual(["aud_new"]);
  });
});
