// Fan-out and filters (docs/contract.md §5) through the real app and queue consumer in workerd: one
// event to several destinations, each with its own attempts and dead letter; filters choosing the rule
// and the destinations; "filtered" answers; sync rules whose other destinations get copies once.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { parseEnvelope, type Envelope } from "../../src/core/envelope";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { orderingObjectName } from "../../src/adapters/ordering-client";
import { baseConfig, call, envWith, recordingQueue, signedRequest } from "./helpers";

const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };
const ADMIN = { Authorization: "Bearer test-admin-token" };

function fanoutEnv(queue: Queue<unknown>): Env {
  return envWith(
    baseConfig({
      endpoints: {
        billing: { url: "http://127.0.0.1:9/billing", circuit_breaker: NO_TRIP },
        analytics: { url: "http://127.0.0.1:9/analytics", circuit_breaker: NO_TRIP },
        fraud: { url: "http://127.0.0.1:9/fraud", circuit_breaker: NO_TRIP },
        payments: { url: "http://127.0.0.1:9/payments", circuit_breaker: NO_TRIP },
        audit: { url: "http://127.0.0.1:9/audit", circuit_breaker: NO_TRIP },
        v2: { url: "http://127.0.0.1:9/v2", circuit_breaker: NO_TRIP },
      },
      routing_rules: [
        {
          event_type: "invoice.*",
          mode: "async",
          retry_matrix: [0],
          destinations: [{ endpoint: "billing" }, { endpoint: "analytics" }, { endpoint: "fraud", filter: { "body.amount": { $gte: 10_000 } } }],
        },
        {
          event_type: "order.created",
          mode: "async",
          destinations: [
            { endpoint: "billing", filter: { "body.region": "eu" } },
            { endpoint: "analytics", filter: { "headers.x-tier": { $in: ["gold", "platinum"] } } },
          ],
        },
        { event_type: "user.*", mode: "async", endpoint: "analytics" },
        { event_type: "user.*", mode: "async", endpoint: "v2", filter: { "body.version": 2 } },
        { event_type: "payment.authorize", mode: "sync", timeout_ms: 500, destinations: [{ endpoint: "payments" }, { endpoint: "audit" }] },
      ],
    }),
    { DELIVERY_QUEUE: queue },
  );
}

/** Answers per endpoint path, in order (the last answer repeats); records every call. */
function endpoints(answers: Record<string, number[]>) {
  const calls: { path: string; id: string; mode: string | null; attempt: string | null; sequence: string | null }[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname.slice(1);
    const seen = calls.filter((c) => c.path === path).length;
    calls.push({
      path,
      id: request.headers.get("webhook-id") ?? "",
      mode: request.headers.get("X-Callback-Mode"),
      attempt: request.headers.get("X-Retry-Attempt"),
      sequence: request.headers.get("X-Sequence"),
    });
    const list = answers[path] ?? [200];
    const status = list[Math.min(seen, list.length - 1)] ?? 200;
    return new Response(status === 204 ? null : `answer ${status}`, { status });
  });
  return { calls, of: (path: string) => calls.filter((c) => c.path === path) };
}

/** Runs the queue consumer over envelopes (as Queues would deliver them) and returns what it re-enqueued. */
async function consume(e: Env, bodies: readonly unknown[]): Promise<void> {
  const batch = createMessageBatch(
    "hookgate-delivery",
    bodies.map((body, i) => ({ id: `qm-${Date.now()}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  await getQueueResult(batch, ctx);
}

function envelopes(sent: readonly unknown[]): Envelope[] {
  return sent.map((m) => {
    const parsed = parseEnvelope(m);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.envelope;
  });
}

async function admin(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return call(new Request(`https://gateway.test/admin${path}`, { ...init, headers: { ...ADMIN, ...(init.headers as Record<string, string> | undefined) } }), e);
}

beforeEach(() => forgetGuardCache());
afterEach(() => vi.restoreAllMocks());

describe("fan-out to several destinations", () => {
  it("gives each destination its own attempts and dead letter: 500 then 200, a final 400, a 200", async () => {
    const { queue, sent } = recordingQueue();
    const e = fanoutEnv(queue);
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "invoice.paid", amount: 25_000 })), e);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { id: string; status: string; destinations: string[] };
    expect(answer).toMatchObject({ status: "queued", destinations: ["billing", "analytics", "fraud"] });

    const copies = envelopes(sent);
    expect(copies.map((c) => c.endpoint)).toEqual(["billing", "analytics", "fraud"]);
    expect(new Set(copies.map((c) => c.id))).toEqual(new Set([answer.id]));
    expect(copies.every((c) => c.fanout === true)).toBe(true);

    const hits = endpoints({ billing: [500, 200], analytics: [400], fraud: [200] });
    sent.length = 0;
    await consume(e, copies);
    const retried = envelopes(sent);
    expect(retried.map((r) => [r.endpoint, r.attempt])).toEqual([["billing", 1]]);
    await consume(e, retried);

    expect(hits.of("billing").map((c) => c.attempt)).toEqual(["1", "2"]);
    expect(hits.of("analytics")).toHaveLength(1);
    expect(hits.of("fraud")).toHaveLength(1);
    expect(new Set(hits.calls.map((c) => c.id))).toEqual(new Set([answer.id]));

    // One dead letter, for analytics only, under its own id; the message id finds it.
    const list = (await (await admin(e, `/dlq?message_id=${answer.id}`)).json()) as { items: { id: string; message_id: string; endpoint: string; reason: string }[] };
    expect(list.items).toEqual([expect.objectContaining({ id: `${answer.id}.analytics`, message_id: answer.id, endpoint: "analytics", reason: "rejected" })]);
    expect((await admin(e, `/dlq/${answer.id}`)).status).toBe(404);
    expect((await admin(e, `/dlq/${answer.id}.analytics`)).status).toBe(200);

    // Replaying it delivers to analytics only, under the same message id.
    sent.length = 0;
    expect((await admin(e, `/dlq/${answer.id}.analytics/replay`, { method: "POST" })).status).toBe(202);
    expect(envelopes(sent).map((r) => [r.endpoint, r.id, r.attempt])).toEqual([["analytics", answer.id, 0]]);
  });

  it("sends a copy only to the destinations whose filter matches, and counts the others as filtered", async () => {
    const { queue, sent } = recordingQueue();
    const e = fanoutEnv(queue);
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "invoice.paid", amount: 50 })), e);
    expect(((await res.json()) as { destinations: string[] }).destinations).toEqual(["billing", "analytics"]);
    expect(envelopes(sent).map((c) => c.endpoint)).toEqual(["billing", "analytics"]);

    const ctx = createExecutionContext();
    await waitOnExecutionContext(ctx);
    const stats = e.ENDPOINT_GUARD.get(e.ENDPOINT_GUARD.idFromName("fraud"));
    await vi.waitFor(async () => {
      const snapshot = await stats.snapshot({ failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 });
      expect(snapshot.last_hour.routes.find((r) => r.route === "invoice.*")?.filtered).toBeGreaterThanOrEqual(1);
    });
  });

  it('answers 202 "filtered" with no destinations when every destination leaves the event out, and the same to a duplicate', async () => {
    const { queue, sent } = recordingQueue();
    const e = fanoutEnv(queue);
    const body = JSON.stringify({ type: "order.created", region: "us" });
    const first = await call(await signedRequest("/webhooks/acme", body, { id: "msg_filtered_1", headers: { "X-Tier": "bronze" } }), e);
    expect(first.status).toBe(202);
    const answer = (await first.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ mode: "async", status: "filtered", destinations: [] });
    expect(first.headers.get("X-Message-Id")).toBe(answer["id"]);
    expect(sent).toHaveLength(0);

    const again = await call(await signedRequest("/webhooks/acme", body, { id: "msg_filtered_1", headers: { "X-Tier": "bronze" } }), e);
    expect(again.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(await again.json()).toEqual(answer);

    const gold = await call(await signedRequest("/webhooks/acme", body, { headers: { "X-Tier": "gold" } }), e);
    expect(((await gold.json()) as { destinations: string[] }).destinations).toEqual(["analytics"]);
  });

  it("lets a rule's filter take the event before the same rule without one, and skips it when it does not match", async () => {
    const { queue, sent } = recordingQueue();
    const e = fanoutEnv(queue);
    await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created", version: 2 })), e);
    await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created", version: 1 })), e);
    await call(await signedRequest("/webhooks/acme", "not json", { headers: { "X-Event-Type": "user.created" } }), e);
    expect(envelopes(sent).map((c) => c.endpoint)).toEqual(["v2", "analytics", "analytics"]);
    expect(envelopes(sent).every((c) => c.fanout === undefined)).toBe(true);
  });
});

describe("sync rules with several destinations", () => {
  it("accepts the copies before calling the primary, once per idempotency key, whatever the primary answers", async () => {
    const { queue, sent } = recordingQueue();
    const e = fanoutEnv(queue);
    const hits = endpoints({ payments: [503, 200] });
    const request = () => signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", amount: 5 }), { headers: { "X-Idempotency-Key": "pay-fanout-1" } });

    const first = await call(await request(), e);
    expect(first.status).toBe(503);
    expect(envelopes(sent).map((c) => [c.endpoint, c.fanout])).toEqual([["audit", true]]);

    const retry = await call(await request(), e);
    expect(retry.status).toBe(200);
    expect(hits.of("payments")).toHaveLength(2);
    expect(sent).toHaveLength(1); // no second copy for the retry
  });
});

describe("ordered rules with several destinations", () => {
  it("keeps one stream per destination and key: a blocked destination never holds up the other", async () => {
    const e = envWith(
      baseConfig({
        endpoints: {
          steady: { url: "http://127.0.0.1:9/steady", circuit_breaker: NO_TRIP },
          stuck: { url: "http://127.0.0.1:9/stuck", circuit_breaker: NO_TRIP },
        },
        routing_rules: [
          {
            event_type: "ledger.*",
            mode: "async",
            ordering_key: "body:account",
            on_failure: "block",
            retry_matrix: [0],
            destinations: [{ endpoint: "steady" }, { endpoint: "stuck" }],
          },
        ],
      }),
    );
    const hits = endpoints({ steady: [200], stuck: [410] });
    for (let n = 1; n <= 3; n++) {
      const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "ledger.entry", account: "acc-1", n })), e);
      expect(((await res.json()) as { destinations: string[] }).destinations).toEqual(["steady", "stuck"]);
    }
    const stream = (endpoint: string) => e.ORDERING.get(e.ORDERING.idFromName(orderingObjectName({ route: "ledger.*", endpoint, key: "acc-1" })));
    await vi.waitFor(async () => expect((await stream("steady").status()).pending).toBe(0), { timeout: 15_000, interval: 20 });
    await vi.waitFor(async () => expect((await stream("stuck").status()).blocked).toBe(true), { timeout: 15_000, interval: 20 });

    const sequence = (path: string) => hits.of(path).map((c) => c.sequence);
    expect(sequence("steady")).toEqual(["1", "2", "3"]);
    expect(sequence("stuck")).toEqual(["1"]);
    const stuck = await stream("stuck").status();
    expect(stuck).toMatchObject({ pending: 3, blocked: true, head: { sequence: 1 } });
  });
});
