// The dead-letter admin routes against real D1 and R2: listing, inspecting, replaying, deleting.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { messageId } from "../../src/core/ids";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import type { DeadLetterReason } from "../../src/core/dead-letter";
import { DeadLetterDetailSchema, DeadLetterPageSchema, ReplayQueuedSchema } from "../../src/http/admin/docs/schemas";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, testEnv } from "./helpers";

const deadLetters = d1DeadLetterStore(testEnv.DB);

const TOKEN = "test-admin-token";
const NOW = Date.now();
let seq = 0;

function envelope(overrides: Partial<Envelope> = {}): Envelope {
  seq += 1;
  return {
    v: 1,
    id: messageId(NOW - seq, crypto.getRandomValues(new Uint8Array(10))),
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    parent_span_id: "b7ad6b7169203331",
    source: "acme",
    event_type: "user.created",
    route: "user.*",
    endpoint: "profiles",
    queue: "DELIVERY_QUEUE",
    idempotency_key: "idem-1",
    content_type: "application/json",
    headers: [
      ["X-Tenant", "t1"],
      ["X-Api-Key", "k-secret-value"],
    ],
    body: { kind: "inline", bytes: new TextEncoder().encode('{"type":"user.created","note":"body-marker"}') },
    received_at: NOW - 60_000,
    attempt: 6,
    policy: { matrix: [500, 1000], max_attempts: 3 },
    last_status: 503,
    last_error: "HTTP 503",
    fallback: null,
    replay_count: 0,
    ordering: null,
    ...overrides,
  };
}

async function seed(e: Envelope, failedAt = NOW - seq * 1000, reason: DeadLetterReason = "exhausted"): Promise<Envelope> {
  await deadLetters.write({ envelope: e, reason, attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt });
  return e;
}

function spyQueue(): { queue: Queue<unknown>; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const queue = {
    send: async (message: Envelope) => {
      sent.push(message);
    },
    sendBatch: async () => undefined,
  };
  return { queue: queue as unknown as Queue<unknown>, sent };
}

function adminRequest(path: string, init: { method?: string; json?: unknown } = {}): Request {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  return new Request(`https://gateway.test/admin${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

let env: Env;
let sent: Envelope[];
let logs: string[];

afterEach(() => {
  // Forwarded header values and bodies never reach the logs.
  expect(logs.join("\n")).not.toMatch(/k-secret-value|body-marker/);
  setLogSink(undefined);
});

beforeEach(async () => {
  logs = [];
  setLogSink((line) => logs.push(line));
  await testEnv.DB.prepare("DELETE FROM dead_letters").run();
  const spy = spyQueue();
  sent = spy.sent;
  env = envWith(baseConfig(), { DELIVERY_QUEUE: spy.queue });
});

describe("GET /admin/dlq", () => {
  it("pages through dead letters newest first with next_cursor until null", async () => {
    const seeded = [];
    for (let i = 0; i < 7; i++) seeded.push(await seed(envelope(), NOW - i * 1000));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=3" : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const res = await call(adminRequest(`/dlq${query}`), env);
      expect(res.status).toBe(200);
      const page = DeadLetterPageSchema.parse(await res.json());
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(seeded.map((e) => e.id));
  });

  it("shapes each item exactly as docs/contract.md §4, with ISO timestamps", async () => {
    const e = await seed(envelope({ ordering: { key: "u1", sequence: 4 } }), NOW - 5000);
    const res = await call(adminRequest("/dlq"), env);
    const body = (await res.json()) as { items: Record<string, unknown>[] };
    expect(body.items).toEqual([
      {
        id: e.id,
        message_id: e.id,
        source: "acme",
        event_type: "user.created",
        route: "user.*",
        endpoint: "profiles",
        reason: "exhausted",
        attempts: 3,
        last_status: 503,
        last_error: "HTTP 503",
        trace_id: e.trace_id,
        created_at: new Date(e.received_at).toISOString(),
        failed_at: new Date(NOW - 5000).toISOString(),
        replay_count: 0,
        replayed_at: null,
        ordering_key: "u1",
        sequence: 4,
      },
    ]);
  });

  it("filters by source, event_type, endpoint and reason", async () => {
    await seed(envelope({ source: "acme" }));
    const other = await seed(envelope({ source: "legacy", event_type: "order.paid", endpoint: "payments" }), NOW - 100, "rejected");
    for (const query of ["source=legacy", "event_type=order.paid", "endpoint=payments", "reason=rejected"]) {
      const page = DeadLetterPageSchema.parse(await (await call(adminRequest(`/dlq?${query}`), env)).json());
      expect(
        page.items.map((i) => i.id),
        query,
      ).toEqual([other.id]);
    }
  });

  it("answers 400 with the offending parameter for a bad limit, reason, cursor or unknown parameter", async () => {
    for (const [query, needle] of [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=abc", "limit"],
      ["reason=lost", "reason"],
      ["cursor=%25%25", "cursor"],
      ["sorce=acme", "sorce"],
    ] as const) {
      const res = await call(adminRequest(`/dlq?${query}`), env);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      const body = (await res.json()) as { type: string; detail: string };
      expect(body.type).toMatch(/invalid-input$/);
      expect(body.detail).toContain(needle);
    }
  });
});

describe("GET /admin/dlq/{id}", () => {
  it("shows headers (credentials redacted) and a UTF-8 body as text", async () => {
    const e = await seed(envelope());
    const res = await call(adminRequest(`/dlq/${e.id}`), env);
    expect(res.status).toBe(200);
    const body = DeadLetterDetailSchema.parse(await res.json());
    expect(body).toMatchObject({
      id: e.id,
      status: "dead",
      idempotency_key: "idem-1",
      content_type: "application/json",
      headers: { "X-Tenant": "t1", "X-Api-Key": "[redacted]" },
      body: '{"type":"user.created","note":"body-marker"}',
      body_encoding: "utf8",
    });
  });

  it("returns bytes that are not UTF-8 as base64", async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x41]);
    const e = await seed(envelope({ body: { kind: "inline", bytes } }));
    const body = DeadLetterDetailSchema.parse(await (await call(adminRequest(`/dlq/${e.id}`), env)).json());
    expect(body.body_encoding).toBe("base64");
    expect(Uint8Array.from(atob(body.body ?? ""), (ch) => ch.charCodeAt(0))).toEqual(bytes);
  });

  it("fetches a claim-checked body from R2", async () => {
    const id = messageId(NOW, crypto.getRandomValues(new Uint8Array(10)));
    const big = "x".repeat(70_000);
    await testEnv.PAYLOADS.put(`payloads/${id}`, big);
    await seed(envelope({ id, body: { kind: "r2", key: `payloads/${id}`, size: big.length } }));
    const body = DeadLetterDetailSchema.parse(await (await call(adminRequest(`/dlq/${id}`), env)).json());
    expect(body).toMatchObject({ body_size: 70_000, body_encoding: "utf8" });
    expect(body.body).toBe(big);
  });

  it("answers 404 problem for an unknown id", async () => {
    const res = await call(adminRequest("/dlq/msg_unknown"), env);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { type: string }).type).toMatch(/unknown-dead-letter$/);
  });
});

describe("replay", () => {
  it("re-enqueues one dead letter with the same id at attempt 0 and marks it replayed", async () => {
    const e = await seed(envelope());
    const res = await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), env);
    expect(res.status).toBe(202);
    expect(ReplayQueuedSchema.parse(await res.json())).toEqual({ id: e.id, status: "queued", replay_count: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ id: e.id, trace_id: e.trace_id, attempt: 0, replay_count: 1, last_status: null, queue: "DELIVERY_QUEUE" });
    expect(sent[0]?.body).toEqual(e.body);
    const row = await deadLetters.get(e.id);
    expect(row).toMatchObject({ status: "replayed", replay_count: 1 });
    expect(row?.replayed_at).toBeGreaterThanOrEqual(NOW);
    const listed = DeadLetterPageSchema.parse(await (await call(adminRequest("/dlq"), env)).json());
    expect(listed.items).toEqual([]);
    const replayed = DeadLetterPageSchema.parse(await (await call(adminRequest("/dlq?status=replayed"), env)).json());
    expect(replayed.items.map((i) => i.id)).toEqual([e.id]);
  });

  it("answers 409 when the dead letter was already replayed, 404 when unknown", async () => {
    const e = await seed(envelope());
    expect((await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), env)).status).toBe(202);
    const again = await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), env);
    expect(again.status).toBe(409);
    expect((await call(adminRequest("/dlq/msg_nope/replay", { method: "POST" }), env)).status).toBe(404);
    expect(sent).toHaveLength(1);
  });

  it("puts a replayed event that dead-letters again back in the listing with its replay count", async () => {
    const e = await seed(envelope());
    await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), env);
    const redelivered = sent[0];
    if (redelivered === undefined) throw new Error("nothing was sent");
    await deadLetters.write({ envelope: { ...redelivered, attempt: 3 }, reason: "exhausted", attempts: 3, lastStatus: 500, lastError: "HTTP 500", failedAt: Date.now() });
    const page = DeadLetterPageSchema.parse(await (await call(adminRequest("/dlq"), env)).json());
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: e.id, replay_count: 1, last_status: 500 });
  });

  it("gives the row back and answers 503 when the queue refuses the message", async () => {
    const e = await seed(envelope());
    const failing = envWith(baseConfig(), {
      DELIVERY_QUEUE: {
        send: async () => {
          throw new Error("queue down");
        },
      },
    });
    const res = await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), failing);
    expect(res.status).toBe(503);
    expect(await deadLetters.get(e.id)).toMatchObject({ status: "dead", replay_count: 0 });
  });

  it("bulk-replays only the dead letters matching the filter, up to limit", async () => {
    for (let i = 0; i < 3; i++) await seed(envelope({ endpoint: "payments" }));
    const untouched = await seed(envelope({ endpoint: "profiles" }));
    const res = await call(adminRequest("/dlq/replay", { method: "POST", json: { endpoint: "payments", limit: 2 } }), env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ replayed: 2 });
    expect(sent.map((m) => m.endpoint)).toEqual(["payments", "payments"]);
    const rest = await call(adminRequest("/dlq/replay", { method: "POST", json: { endpoint: "payments" } }), env);
    expect(await rest.json()).toEqual({ replayed: 1 });
    expect(await deadLetters.get(untouched.id)).toMatchObject({ status: "dead" });
  });

  it("replays each dead letter exactly once when two bulk replays run at the same time", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add((await seed(envelope())).id);
    const [a, b] = await Promise.all([
      call(adminRequest("/dlq/replay", { method: "POST", json: { limit: 25 } }), env),
      call(adminRequest("/dlq/replay", { method: "POST", json: { limit: 25 } }), env),
    ]);
    const [first, second] = [(await a.json()) as { replayed: number }, (await b.json()) as { replayed: number }];
    expect(first.replayed + second.replayed).toBe(30);
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((m) => m.id))).toEqual(ids);
  });

  it("rejects a bulk body with unknown fields, a bad limit, or that is not JSON", async () => {
    const unknown = await call(adminRequest("/dlq/replay", { method: "POST", json: { sorce: "acme" } }), env);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { detail: string }).detail).toContain("sorce");
    const badLimit = await call(adminRequest("/dlq/replay", { method: "POST", json: { limit: 0 } }), env);
    expect(badLimit.status).toBe(400);
    const notJson = new Request("https://gateway.test/admin/dlq/replay", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: "{nope",
    });
    expect((await call(notJson, env)).status).toBe(400);
    const text = new Request("https://gateway.test/admin/dlq/replay", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "text/plain" },
      body: "source=acme",
    });
    expect((await call(text, env)).status).toBe(415);
    expect(sent).toHaveLength(0);
  });

  it("hands an ordered dead letter to its ordering stream, not to the plain queue", async () => {
    const e = await seed(envelope({ ordering: { key: "u1", sequence: 2 } }));
    const res = await call(adminRequest(`/dlq/${e.id}/replay`, { method: "POST" }), env);
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(0);
    expect(await deadLetters.get(e.id)).toMatchObject({ status: "replayed", replay_count: 1 });
  });
});

describe("DELETE /admin/dlq/{id}", () => {
  it("removes the row and its R2 body, then answers 404", async () => {
    const id = messageId(NOW, crypto.getRandomValues(new Uint8Array(10)));
    await testEnv.PAYLOADS.put(`payloads/${id}`, "large body");
    await seed(envelope({ id, body: { kind: "r2", key: `payloads/${id}`, size: 10 } }));
    const res = await call(adminRequest(`/dlq/${id}`, { method: "DELETE" }), env);
    expect(res.status).toBe(204);
    expect(await deadLetters.get(id)).toBeNull();
    expect(await testEnv.PAYLOADS.head(`payloads/${id}`)).toBeNull();
    expect((await call(adminRequest(`/dlq/${id}`, { method: "DELETE" }), env)).status).toBe(404);
  });
});
