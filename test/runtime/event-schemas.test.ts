// Event schemas at ingress (docs/contract.md §9) inside workerd: a valid event is delivered, an
// invalid one is answered 422 schema-violation with nothing stored, enqueued or called, a duplicate of
// a refused event is refused again, violations reach /admin/stats and the log (never the body), and
// the versioned-endpoints example (config/examples/versioned-orders.json) works end to end.
import { describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { StatsResponseSchema, EventSchemasResponseSchema } from "../../src/http/admin/docs/schemas";
import example from "../../config/examples/versioned-orders.json";
import { callInstant, captureLogsPerTest, envWith, expectStamped, recordingQueue, signedRequest, SW_SECRET } from "./helpers";

const logs = captureLogsPerTest();

/** The guard's one-second trailing flush runs at once, so stats are visible without waiting. */
const call = callInstant;

interface Delivered {
  url: string;
  body: string;
}

/** Outbound fetch answered 200 and recorded. */
function endpointsAnswerOk(): Delivered[] {
  const delivered: Delivered[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    delivered.push({ url: request.url, body: await request.text() });
    return new Response("ok", { status: 200 });
  });
  return delivered;
}

/** The example config, with the shop's secret under the name the tests sign with. */
function exampleEnv() {
  const q = recordingQueue();
  const env = envWith(example, { DELIVERY_QUEUE: q.queue, SHOP_SECRET: SW_SECRET, ORDERS_SIGNING_SECRET: SW_SECRET });
  return { env, sent: q.sent };
}

async function consumeAll(env: Env, messages: unknown[]): Promise<void> {
  const batch = createMessageBatch(
    "hookgate-delivery",
    messages.map((body, i) => ({ id: `schema-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
}

const v1 = (id: string) => ({ type: "order.created.v1", id, amount: 12.5, currency: "EUR", customer_email: "ana@example.com" });
const v2 = (id: string) => ({
  type: "order.created.v2",
  id,
  amount: { value: 1250, currency: "EUR" },
  customer: { id: "cus_1", email: "ana@example.com" },
  items: [{ sku: "tea", quantity: 2 }],
});
const post = (body: unknown, opts: { id?: string } = {}) => signedRequest("/webhooks/shop", JSON.stringify(body), opts);

interface ViolationBody {
  type: string;
  status: number;
  detail: string;
  trace_id: string;
  errors: { path: string; message: string }[];
}

describe("schema violations at ingress", () => {
  it("delivers a valid event", async () => {
    const { env, sent } = exampleEnv();
    const delivered = endpointsAnswerOk();
    const res = await call(await post(v1("ord_valid1")), env);
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    await consumeAll(env, sent);
    expect(delivered).toEqual([{ url: "https://orders.example.com/hooks/v1", body: JSON.stringify(v1("ord_valid1")) }]);
  });

  it("refuses an invalid event with 422 and its errors; nothing is enqueued, stored or called", async () => {
    const { env, sent } = exampleEnv();
    const delivered = endpointsAnswerOk();
    const bad = { ...v1("not-an-order-id"), amount: "12.50", customer_email: undefined };
    const res = await call(await post(bad, { id: "msg_refused_once" }), env);
    expect(res.status).toBe(422);
    const traceId = expectStamped(res);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const body = (await res.json()) as ViolationBody;
    expect(body).toEqual({
      type: "https://hookgate.dev/problems/schema-violation",
      title: "Schema violation",
      status: 422,
      detail: expect.stringContaining("order.created.v1"),
      trace_id: traceId,
      errors: [
        { path: "", message: expect.stringContaining('"customer_email"') },
        { path: "/id", message: expect.any(String) },
        { path: "/amount", message: expect.stringMatching(/type "string"/) },
      ],
    });
    expect(sent).toHaveLength(0);
    expect(delivered).toHaveLength(0);
    // Nothing was stored under the idempotency key: the corrected event with the same id is accepted.
    const fixed = await call(await post(v1("ord_fixed"), { id: "msg_refused_once" }), env);
    expect(fixed.status).toBe(202);
    expect(fixed.headers.get("X-Idempotent-Replay")).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it("refuses a duplicate of a refused event again, never as a replay", async () => {
    const { env, sent } = exampleEnv();
    const request = async () => post({ ...v2("ord_dup"), items: [] }, { id: "msg_refused_twice" });
    for (let i = 0; i < 2; i++) {
      const res = await call(await request(), env);
      expect(res.status).toBe(422);
      expect(res.headers.get("X-Idempotent-Replay")).toBeNull();
      expect(((await res.json()) as ViolationBody).errors).toEqual([{ path: "/items", message: expect.stringContaining("too few items") }]);
    }
    expect(sent).toHaveLength(0);
  });

  it("refuses a body that is not JSON on a route with a schema", async () => {
    const { env, sent } = exampleEnv();
    const res = await call(await signedRequest("/webhooks/shop", "order=1", { headers: { "X-Event-Type": "order.created.v1" } }), env);
    expect(res.status).toBe(422);
    expect(((await res.json()) as ViolationBody).errors).toEqual([{ path: "", message: "The body is not JSON." }]);
    expect(sent).toHaveLength(0);
  });

  it("checks a sync route before the endpoint is called", async () => {
    const q = recordingQueue();
    const config = {
      ...example,
      routing_rules: [{ event_type: "order.created.v2", mode: "sync", endpoint: "orders-v2", schema: "order.created.v2" }],
    };
    const env = envWith(config, { DELIVERY_QUEUE: q.queue, SHOP_SECRET: SW_SECRET, ORDERS_SIGNING_SECRET: SW_SECRET });
    const delivered = endpointsAnswerOk();
    const refused = await call(await post({ ...v2("ord_sync"), amount: { value: -1, currency: "EUR", note: "x" } }), env);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as ViolationBody).errors.map((e) => e.path)).toEqual(["/amount/value", "/amount/note"]);
    expect(delivered).toHaveLength(0);
    const ok = await call(await post(v2("ord_sync")), env);
    expect(ok.status).toBe(200);
    expect(delivered.map((d) => d.url)).toEqual(["https://orders.example.com/hooks/v2"]);
  });

  it("counts violations per route in /admin/stats and logs the first error without the body", async () => {
    const { env } = exampleEnv();
    const secretValue = "very-private-value-in-the-body";
    const violations = async (route: string) => {
      const stats = await call(new Request("https://gateway.test/admin/stats", { headers: { Authorization: "Bearer test-admin-token" } }), env);
      return StatsResponseSchema.parse(await stats.json()).routes.find((r) => r.route === route)?.schema_violations;
    };
    // Durable Object storage lives for the whole file: earlier tests refused events on these routes too.
    const before = { v1: await violations("order.created.v1"), v2: await violations("order.created.v2") };
    for (let i = 0; i < 3; i++) {
      const res = await call(await post({ ...v2(`ord_stats${i}`), customer: { id: secretValue } }), env);
      expect(res.status).toBe(422);
    }
    expect(await violations("order.created.v2")).toBe((before.v2 ?? NaN) + 3);
    expect(await violations("order.created.v1")).toBe(before.v1);
    const lines = logs.lines.filter((l) => l.includes('"problem":"schema-violation"'));
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ route: "order.created.v2", schema: "order.created.v2", schema_error: "required at #/properties/customer/required" });
    expect(logs.lines.join("\n")).not.toContain(secretValue);
  });
});

describe("versioned consumer endpoints (config/examples/versioned-orders.json)", () => {
  it("routes v1 and v2 to their own endpoints, each checked against its own schema, both live", async () => {
    const { env, sent } = exampleEnv();
    const delivered = endpointsAnswerOk();
    expect((await call(await post(v1("ord_a")), env)).status).toBe(202);
    expect((await call(await post(v2("ord_b")), env)).status).toBe(202);
    // A v2-shaped body announced as v1 (a producer half-way through its migration) is refused.
    const mixed = await call(await post({ ...v2("ord_c"), type: "order.created.v1" }), env);
    expect(mixed.status).toBe(422);
    expect(sent).toHaveLength(2);
    await consumeAll(env, sent);
    expect(delivered.map((d) => [d.url, (JSON.parse(d.body) as { id: string }).id]).sort()).toEqual([
      ["https://orders.example.com/hooks/v1", "ord_a"],
      ["https://orders.example.com/hooks/v2", "ord_b"],
    ]);
  });

  it("lists both schemas and the rules using them in GET /admin/schemas", async () => {
    const { env } = exampleEnv();
    const res = await call(new Request("https://gateway.test/admin/schemas", { headers: { Authorization: "Bearer test-admin-token" } }), env);
    expect(res.status).toBe(200);
    const body = EventSchemasResponseSchema.parse(await res.json());
    expect(body.items.map((s) => [s.name, s.rules.map((r) => r.endpoint)])).toEqual([
      ["order.created.v1", ["orders-v1"]],
      ["order.created.v2", ["orders-v2"]],
    ]);
    expect(body.items[0]?.schema).toEqual(example.schemas["order.created.v1"]);
  });
});
