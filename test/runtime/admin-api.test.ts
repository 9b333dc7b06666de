// The admin API outside the dead-letter queue: authentication, effective routes, endpoint breakers,
// stats, fallbacks, and the generated OpenAPI 3.1 document.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { CallReport } from "../../src/core/endpoint-report";
import { createApp } from "../../src/http/app";
import { EffectiveConfigSchema, EndpointDetailSchema, EndpointResetSchema, FallbackPageSchema, StatsResponseSchema } from "../../src/http/admin/docs/schemas";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, testEnv } from "./helpers";

const TOKEN = "test-admin-token";
const BREAKER = { failureThreshold: 2, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 };

function adminRequest(path: string, init: { method?: string; token?: string | null } = {}): Request {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers["Authorization"] = `Bearer ${init.token ?? TOKEN}`;
  return new Request(`https://gateway.test/admin${path}`, { method: init.method ?? "GET", headers });
}

function config(overrides: Parameters<typeof baseConfig>[0] = {}) {
  return baseConfig({
    endpoints: {
      profiles: { url: "http://127.0.0.1:9/hooks?token=s3cr3t-in-query#frag", signing_secrets: ["PROFILES_SIGNING_SECRET", "PROFILES_OLD_SECRET"] },
      payments: { url: "http://127.0.0.1:9/pay", circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 60_000 } },
    },
    ...overrides,
  });
}

async function report(name: string, reports: CallReport[], cfg = BREAKER): Promise<void> {
  const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(name));
  await stub.sync({ isolate: "test-isolate", inflight: 0, reports, cfg, admit: false, probeLeaseMs: 0 });
}

let logs: string[] = [];
beforeEach(() => {
  logs = [];
  setLogSink((line) => logs.push(line));
});
afterEach(() => setLogSink(undefined));

const call500 = (route: string): CallReport => ({ route, mode: "sync", delivered: false, breaker: "failure", latencyMs: 900, at: Date.now() });
const call200 = (route: string, latencyMs: number): CallReport => ({ route, mode: "async", delivered: true, breaker: "success", latencyMs, at: Date.now() });

describe("admin authentication", () => {
  const paths: [string, string][] = [
    ["GET", "/routes"],
    ["GET", "/endpoints/profiles"],
    ["POST", "/endpoints/profiles/reset"],
    ["GET", "/dlq"],
    ["GET", "/dlq/msg_x"],
    ["POST", "/dlq/msg_x/replay"],
    ["POST", "/dlq/replay"],
    ["DELETE", "/dlq/msg_x"],
    ["GET", "/stats"],
    ["GET", "/fallbacks"],
    ["GET", "/openapi.json"],
    ["GET", "/no-such-route"],
  ];

  it("answers 401 problem with a WWW-Authenticate challenge for a wrong or missing token on every route", async () => {
    const env = envWith(config());
    for (const [method, path] of paths) {
      for (const token of ["wrong-token", "test-admin-token-but-longer", null]) {
        const res = await call(adminRequest(path, { method, token }), env);
        expect(res.status, `${method} ${path} ${String(token)}`).toBe(401);
        expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
        expect(((await res.json()) as { type: string }).type).toMatch(/unauthorized$/);
      }
    }
    expect(logs.some((l) => l.includes('"event":"admin_unauthorized"'))).toBe(true);
    expect(logs.join("\n")).not.toMatch(/wrong-token|test-admin-token/);
  });

  it("answers 429 with Retry-After once a client passes the admin rate limit, even with the right token", async () => {
    const keys: string[] = [];
    let budget = 2;
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        budget -= 1;
        return { success: budget >= 0 };
      },
    };
    const env = envWith(config(), { ADMIN_RATE_LIMIT: limiter });
    const withIp = (req: Request) => {
      const r = new Request(req);
      r.headers.set("CF-Connecting-IP", "203.0.113.7");
      return r;
    };
    expect((await call(withIp(adminRequest("/routes", { token: "wrong-token" })), env)).status).toBe(401);
    expect((await call(withIp(adminRequest("/routes")), env)).status).toBe(200);
    const limited = await call(withIp(adminRequest("/routes")), env);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(keys).toEqual(["admin:203.0.113.7", "admin:203.0.113.7", "admin:203.0.113.7"]);
  });

  it("answers 404 on every admin route when ADMIN_TOKEN is not bound, whatever the token", async () => {
    const env = { ...envWith(config()), ADMIN_TOKEN: undefined } as Env;
    for (const [method, path] of paths) {
      const res = await call(adminRequest(path, { method }), env);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { type: string }).type).toMatch(/not-found$/);
    }
  });

  it("marks admin answers as not cacheable", async () => {
    const res = await call(adminRequest("/stats"), envWith(config()));
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });
});

describe("GET /admin/routes", () => {
  it("shows the effective config with secret binding names and presence, never values, and redacted URLs", async () => {
    const env = envWith(config({ dlq_alert_threshold: 10 }));
    const res = await call(adminRequest("/routes"), env);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("s3cr3t-in-query");
    expect(text).not.toContain("whsec_");
    const body = EffectiveConfigSchema.parse(JSON.parse(text));
    expect(body.sources["acme"]?.verify.secrets).toEqual([{ name: "ACME_SECRET", present: true }]);
    expect(body.endpoints["profiles"]).toMatchObject({
      url: "http://127.0.0.1:9/hooks",
      signing_secrets: [
        { name: "PROFILES_SIGNING_SECRET", present: true },
        { name: "PROFILES_OLD_SECRET", present: false },
      ],
      breaker: { state: "closed" },
    });
    expect(body.routing_rules.map((r) => [r.name, r.mode, r.max_attempts])).toEqual([
      ["payment.authorize", "sync", 6],
      ["user.*", "async", 6],
    ]);
    expect(body).toMatchObject({ dlq_retention_hours: 720, dlq_alert_threshold: 10, alerting: { webhook_configured: false } });
  });
});

describe("endpoints", () => {
  it("shows an open breaker with opened_at and retry_in_ms, then closes it on reset", async () => {
    const env = envWith(config());
    await report("payments", [call500("payment.authorize"), call500("payment.authorize")]);
    const open = EndpointDetailSchema.parse(await (await call(adminRequest("/endpoints/payments"), env)).json());
    expect(open.breaker.state).toBe("open");
    expect(open.breaker.opened_at).not.toBeNull();
    expect(open.breaker.retry_in_ms).toBeGreaterThan(0);
    expect(open.transitions[0]).toMatchObject({ from: "closed", to: "open" });
    expect(open.url).toBe("http://127.0.0.1:9/pay");

    const routes = EffectiveConfigSchema.parse(await (await call(adminRequest("/routes"), env)).json());
    expect(routes.endpoints["payments"]?.breaker?.state).toBe("open");

    const reset = await call(adminRequest("/endpoints/payments/reset", { method: "POST" }), env);
    expect(reset.status).toBe(200);
    expect(EndpointResetSchema.parse(await reset.json()).breaker.state).toBe("closed");
    const after = EndpointDetailSchema.parse(await (await call(adminRequest("/endpoints/payments"), env)).json());
    expect(after.breaker.state).toBe("closed");
    expect(after.transitions[0]).toMatchObject({ from: "open", to: "closed" });
  });

  it("answers 404 problem for an endpoint that is not configured", async () => {
    const env = envWith(config());
    for (const [method, path] of [
      ["GET", "/endpoints/nope"],
      ["POST", "/endpoints/nope/reset"],
    ] as const) {
      const res = await call(adminRequest(path, { method }), env);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { type: string }).type).toMatch(/unknown-endpoint$/);
    }
  });
});

describe("GET /admin/stats", () => {
  it("reports delivered, failed, success rate and latency percentiles per endpoint and route", async () => {
    const env = envWith(config());
    await report("profiles", [call200("user.*", 40), call200("user.*", 40), call200("user.*", 40), call500("user.*")]);
    await testEnv.DB.prepare("DELETE FROM dead_letters").run();
    const res = await call(adminRequest("/stats"), env);
    expect(res.status).toBe(200);
    const body = StatsResponseSchema.parse(await res.json());
    expect(body.endpoints.find((e) => e.endpoint === "profiles")).toMatchObject({
      delivered: 3,
      failed: 1,
      success_rate: 0.75,
      p50_ms: 50,
      breaker: "closed",
      dlq_size: 0,
    });
    expect(body.routes.find((r) => r.route === "user.*")).toMatchObject({ endpoint: "profiles", delivered: 3, failed: 1, p95_ms: 1000 });
    expect(body.routes.find((r) => r.route === "payment.authorize")).toMatchObject({ endpoint: "payments" });
  });
});

describe("GET /admin/fallbacks", () => {
  it("lists fallbacks newest first across pages, filtered by reason", async () => {
    const env = envWith(config());
    const base = Date.now() - 10_000;
    const insert = testEnv.DB.prepare(
      "INSERT INTO fallbacks (id, trace_id, source, event_type, route, endpoint, reason, at) VALUES (?, ?, 'acme', 'payment.authorize', 'payment.authorize', 'payments', ?, ?)",
    );
    await testEnv.DB.batch([0, 1, 2, 3, 4].map((i) => insert.bind(`msg_fb_${i}`, "0af7651916cd43dd8448eb211c80319c", i === 4 ? "shed" : "timeout", base + i)));
    const first = FallbackPageSchema.parse(await (await call(adminRequest("/fallbacks?limit=3"), env)).json());
    expect(first.items.map((i) => i.id)).toEqual(["msg_fb_4", "msg_fb_3", "msg_fb_2"]);
    expect(first.items[0]?.at).toBe(new Date(base + 4).toISOString());
    const second = FallbackPageSchema.parse(await (await call(adminRequest(`/fallbacks?limit=3&cursor=${first.next_cursor ?? ""}`), env)).json());
    expect(second).toMatchObject({ items: [{ id: "msg_fb_1" }, { id: "msg_fb_0" }], next_cursor: null });
    const shed = FallbackPageSchema.parse(await (await call(adminRequest("/fallbacks?reason=shed"), env)).json());
    expect(shed.items.map((i) => i.id)).toEqual(["msg_fb_4"]);
    expect((await call(adminRequest("/fallbacks?reason=slow"), env)).status).toBe(400);
  });
});

describe("GET /admin/openapi.json", () => {
  type Doc = {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
  };
  type Operation = { operationId: string; parameters: { name: string; in: string; required: boolean; schema: unknown }[]; responses: Record<string, { description: string }> };

  async function fetchDoc(): Promise<Doc> {
    const res = await call(adminRequest("/openapi.json"), envWith(config()));
    expect(res.status).toBe(200);
    return (await res.json()) as Doc;
  }

  it("answers 503 problem (not a 500) when the deploy lacks the generated document", async () => {
    const res = await call(adminRequest("/openapi.json"), envWith(config(), { ASSETS: undefined }));
    expect(res.status).toBe(503);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/npm run openapi/);
  });

  it("is served as JSON from the assets binding", async () => {
    const res = await call(adminRequest("/openapi.json"), envWith(config()));
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  });

  it("lists every admin route the app serves, and only those", async () => {
    const doc = await fetchDoc();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = createApp()
      .routes.filter((r) => r.path.startsWith("/admin/") && !r.path.startsWith("/admin/ui") && !r.path.endsWith("*")) // /admin/ui: the HTML console
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
    expect(documented).toEqual([...new Set(served)].sort());
    for (const route of [
      "GET /admin/routes",
      "GET /admin/endpoints/{name}",
      "POST /admin/endpoints/{name}/reset",
      "GET /admin/dlq",
      "GET /admin/dlq/{id}",
      "POST /admin/dlq/{id}/replay",
      "POST /admin/dlq/replay",
      "DELETE /admin/dlq/{id}",
      "GET /admin/stats",
      "GET /admin/fallbacks",
      "GET /admin/openapi.json",
    ]) {
      expect(documented).toContain(route);
    }
  });

  it("is a structurally valid OpenAPI 3.1 document", async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.components.securitySchemes["bearerAuth"]).toEqual({ type: "http", scheme: "bearer", description: expect.any(String) });
    const operationIds = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(["get", "post", "put", "delete", "patch"]).toContain(method);
        expect(operationIds.has(op.operationId), op.operationId).toBe(false);
        operationIds.add(op.operationId);
        const pathParams = op.parameters.filter((p) => p.in === "path");
        expect(pathParams.map((p) => p.name).sort()).toEqual([...templated].sort());
        for (const p of pathParams) expect(p.required).toBe(true);
        for (const p of op.parameters) expect(["path", "query", "header", "cookie"]).toContain(p.in);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(response.description).toBeTruthy();
        }
      }
    }
    // Every $ref points at a component that exists, and no JSON Schema meta keys leak in.
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[(ref ?? "").split("/").pop() ?? ""], ref).toBeDefined();
    }
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain("#/$defs/");
  });

  it("describes the list query and the dead-letter item from the same zod schemas that validate them", async () => {
    const doc = await fetchDoc();
    const list = doc.paths["/admin/dlq"]?.["get"];
    expect(list?.parameters.find((p) => p.name === "limit")).toMatchObject({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } });
    expect(list?.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["source", "event_type", "endpoint", "reason", "cursor"]));
    const item = doc.components.schemas["DeadLetter"] as { required: string[] };
    expect(item.required.sort()).toEqual([
      "attempts",
      "created_at",
      "endpoint",
      "event_type",
      "failed_at",
      "id",
      "last_error",
      "last_status",
      "message_id",
      "ordering_key",
      "reason",
      "replay_count",
      "replayed_at",
      "route",
      "sequence",
      "source",
      "trace_id",
    ]);
  });
});
