// The attempt log and event lookup (docs/contract.md §7) in the Workers runtime: every attempt with
// the first KiB of the answer (UTF-8 or base64), the newest 500+ paged by cursor, the cost in rows
// written per batch, and GET /admin/events/{id} for delivered, dead-lettered and unknown ids.
import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { CallReport } from "../../src/core/endpoint-report";
import { AttemptLog, ATTEMPTS_KEPT } from "../../src/objects/attempt-log";
import type { EndpointGuard } from "../../src/objects/endpoint-guard";
import { call, expectProblem, signedRequest, testEnv } from "./helpers";
import { admin, consumeQueued, isolateEachTest, lifecycleGateway, sendEvent } from "./lifecycle-helpers";

isolateEachTest();

interface Attempt {
  message_id: string;
  attempt: number;
  mode: string;
  status: number | null;
  outcome: string;
  error: string | null;
  response_excerpt: string | null;
  response_encoding: string | null;
}

function report(i: number): CallReport {
  return {
    route: "user.*",
    mode: "async",
    delivered: true,
    breaker: "success",
    latencyMs: 12,
    at: 1_700_000_000_000 + i,
    status: 200,
    record: {
      messageId: `msg_${String(i).padStart(6, "0")}`,
      source: "acme",
      eventType: "user.created",
      attempt: 1,
      status: 200,
      outcome: "delivered",
      error: null,
      excerpt: `answer ${i}`,
      excerptEncoding: "utf8",
      lagMs: 40,
    },
  };
}

describe("attempt log", () => {
  it("records async attempts with the first KiB of the answer: text as UTF-8, binary as base64", async () => {
    const g = lifecycleGateway();
    const text = "é".repeat(700); // 1400 bytes: the excerpt keeps 512 whole characters
    const binary = new Uint8Array(2048).map((_, i) => (i * 37) % 256);
    g.answer(() => new Response(text, { status: 200 }));
    await sendEvent(g.env);
    await consumeQueued(g.env, g.queued);
    g.answer(() => new Response(binary, { status: 500 }));
    await sendEvent(g.env);
    await consumeQueued(g.env, g.queued);
    const res = await admin(g.env, "GET", `/endpoints/${g.name}/attempts`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Attempt[]; next_cursor: string | null };
    expect(page.next_cursor).toBeNull();
    const [failed, delivered] = page.items;
    expect(delivered).toMatchObject({ attempt: 1, mode: "async", status: 200, outcome: "delivered", error: null, response_encoding: "utf8", response_excerpt: "é".repeat(512) });
    expect(failed).toMatchObject({ attempt: 1, status: 500, outcome: "failed", error: "HTTP 500", response_encoding: "base64" });
    expect(Uint8Array.from(atob(failed?.response_excerpt ?? ""), (c) => c.charCodeAt(0))).toEqual(binary.subarray(0, 1024));
  });

  it("records sync calls too, with their answer", async () => {
    const g = lifecycleGateway();
    g.answer(() => new Response('{"approved":true}', { status: 200 }));
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" })), g.env);
    expect(res.status).toBe(200);
    // A healthy sync call's report rides the one-second trailing flush, which `call` waits for.
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(g.name));
    const rows = await stub.attemptsOf(res.headers.get("X-Message-Id") ?? "");
    expect(rows.map((r) => [r.mode, r.status, r.outcome, r.excerpt])).toEqual([["sync", 200, "delivered", '{"approved":true}']]);
  });

  it("keeps the newest attempts beyond 500 and pages them newest first without gaps or repeats", async () => {
    const g = lifecycleGateway();
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(g.name));
    const cfg = { failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 };
    const total = ATTEMPTS_KEPT + 250;
    for (let start = 0; start < total; start += 100) {
      const reports = Array.from({ length: Math.min(100, total - start) }, (_, i) => report(start + i));
      await stub.sync({ isolate: "t", inflight: 0, reports, cfg, admit: false, probeLeaseMs: 0 });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(g.env, "GET", `/endpoints/${g.name}/attempts?limit=200${cursor === null ? "" : `&cursor=${cursor}`}`);
      const page = (await res.json()) as { items: Attempt[]; next_cursor: string | null };
      seen.push(...page.items.map((a) => a.message_id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    // Whole batches are evicted: the log holds ATTEMPTS_KEPT attempts and less than one batch more.
    expect(seen.length).toBeGreaterThanOrEqual(ATTEMPTS_KEPT);
    expect(seen.length).toBeLessThan(ATTEMPTS_KEPT + 100);
    const expected = Array.from({ length: seen.length }, (_, i) => `msg_${String(total - 1 - i).padStart(6, "0")}`);
    expect(seen).toEqual(expected);
    await expectProblem(await admin(g.env, "GET", `/endpoints/${g.name}/attempts?cursor=abc`), 400, "invalid-input");
  });

  it("costs one row per appended batch, and one more once the log is full (the oldest batch evicted)", async () => {
    const g = lifecycleGateway();
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(g.name));
    const written = await runInDurableObject(stub, (_instance: EndpointGuard, state) => {
      const log = new AttemptLog(state.storage.sql);
      const filling: number[] = [];
      for (let b = 0; b < ATTEMPTS_KEPT / 10; b++) filling.push(log.append(Array.from({ length: 10 }, (_, i) => report(b * 10 + i))));
      const full = log.append(Array.from({ length: 10 }, (_, i) => report(ATTEMPTS_KEPT + i)));
      return { filling: new Set(filling), full, kept: log.page(2000, null).items.length };
    });
    expect(written).toEqual({ filling: new Set([1]), full: 2, kept: ATTEMPTS_KEPT });
  });

  it("still lists attempts of the one-row-per-attempt table of earlier versions, after the new ones", async () => {
    const g = lifecycleGateway();
    const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(g.name));
    const seen = await runInDurableObject(stub, (_instance: EndpointGuard, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE IF NOT EXISTS attempts (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, message_id TEXT NOT NULL, source TEXT NOT NULL,
        event_type TEXT NOT NULL, route TEXT NOT NULL, attempt INTEGER NOT NULL, mode TEXT NOT NULL, status INTEGER, outcome TEXT NOT NULL,
        latency_ms INTEGER NOT NULL, error TEXT, excerpt TEXT, encoding TEXT, lag_ms INTEGER NOT NULL)`);
      for (let i = 0; i < 3; i++)
        sql.exec(
          "INSERT INTO attempts (seq, at, message_id, source, event_type, route, attempt, mode, status, outcome, latency_ms, lag_ms) VALUES (?, 1, ?, 'acme', 'user.created', 'user.*', 1, 'async', 200, 'delivered', 5, 0)",
          9000 + i,
          `old_${i}`,
        );
      const log = new AttemptLog(sql);
      log.append([report(1), report(2)]);
      const first = log.page(3, null);
      const second = log.page(3, first.next);
      return { first: first.items.map((e) => e.messageId), second: second.items.map((e) => e.messageId), next: second.next, old: log.ofMessage("old_1").length };
    });
    expect(seen).toEqual({ first: ["msg_000002", "msg_000001", "old_2"], second: ["old_1", "old_0"], next: null, old: 1 });
  });
});

describe("GET /admin/events/{message_id}", () => {
  it("shows a delivered event with its destination and attempts", async () => {
    const g = lifecycleGateway();
    g.answer(() => new Response("no", { status: 503 }));
    await sendEvent(g.env);
    const id = g.queued[0]?.id ?? "";
    await consumeQueued(g.env, g.queued);
    g.answer(() => new Response("ok", { status: 200 }));
    await consumeQueued(g.env, g.queued);
    const res = await admin(g.env, "GET", `/events/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      message_id: id,
      source: "acme",
      event_type: "user.created",
      route: "user.*",
      destinations: [
        {
          endpoint: g.name,
          route: "user.*",
          state: "delivered",
          dead_letter: null,
          attempts: [
            { attempt: 1, status: 503, outcome: "failed" },
            { attempt: 2, status: 200, outcome: "delivered" },
          ],
        },
      ],
    });
  });

  it("shows a dead-lettered event with its dead letter", async () => {
    const g = lifecycleGateway();
    g.answer(() => new Response("bad", { status: 400 }));
    await sendEvent(g.env);
    const id = g.queued[0]?.id ?? "";
    await consumeQueued(g.env, g.queued);
    const res = await admin(g.env, "GET", `/events/${id}`);
    expect(await res.json()).toMatchObject({
      destinations: [{ endpoint: g.name, state: "dead_lettered", dead_letter: { reason: "rejected", attempts: 1 }, attempts: [{ status: 400, outcome: "rejected" }] }],
    });
  });

  it("answers 404 for an id nothing is known of", async () => {
    const g = lifecycleGateway();
    await expectProblem(await admin(g.env, "GET", "/events/msg_never_seen"), 404, "not-found");
  });
});
