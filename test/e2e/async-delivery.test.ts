// End to end, async delivery (docs/contract.md §3): the real gateway under wrangler dev delivers to a real
// consumer on 127.0.0.1 with exact bytes and every delivery header, retries through the queue,
// never follows redirects, and dead-letters final and exhausted events into local D1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsumer, verifyStandardWebhookSignature, type Consumer, type RecordedRequest } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { waitFor } from "./harness/wait";

const SOURCE_SECRET = "whsec_c291cmNlLXNlY3JldC1mb3ItZTJlLXRlc3RzLW9ubHk=";
const SIGNING_SECRET = "whsec_ZW5kcG9pbnQtc2lnbmluZy1zZWNyZXQtZTJl";
/** A breaker that never trips here: these tests are about attempts, not about the breaker. */
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

let consumer: Consumer;
let gateway: Gateway;

interface DeadLetter {
  id: string;
  reason: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  trace_id: string;
}

function config(consumerUrl: string): unknown {
  const endpoint = (path: string) => ({ url: `${consumerUrl}${path}`, signing_secrets: ["ENDPOINT_SIGNING_SECRET"], circuit_breaker: NO_TRIP });
  return {
    allow_private_networks: true,
    sources: {
      acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "type" },
      open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } },
    },
    endpoints: { ok: endpoint("/ok"), flaky: endpoint("/flaky"), reject: endpoint("/reject"), redirect: endpoint("/redirect"), down: endpoint("/down") },
    routing_rules: [
      { event_type: "order.created", mode: "async", endpoint: "ok", retry_matrix: [0, 0] },
      { event_type: "order.flaky", mode: "async", endpoint: "flaky", retry_matrix: [0, 0, 0] },
      { event_type: "order.rejected", mode: "async", endpoint: "reject", retry_matrix: [0, 0] },
      { event_type: "order.redirected", mode: "async", endpoint: "redirect", retry_matrix: [0, 0] },
      { event_type: "order.exhausted", mode: "async", endpoint: "down", retry_matrix: [0, 0] },
    ],
  };
}

beforeAll(async () => {
  consumer = await startConsumer({
    signingSecret: SIGNING_SECRET,
    behaviour: {
      paths: {
        "/ok": { status: 200 },
        "/flaky": { failFirst: 2, failStatus: 503 },
        "/reject": { status: 400 },
        "/redirect": { status: 302, headers: { Location: "/ok" } },
        "/down": { status: 503 },
      },
    },
  });
  gateway = await startGateway({ config: config(consumer.url), secrets: { ACME_SECRET: SOURCE_SECRET, ENDPOINT_SIGNING_SECRET: SIGNING_SECRET } });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

async function deliveries(id: string, count: number, timeoutMs = 20_000): Promise<RecordedRequest[]> {
  await waitFor(() => consumer.byId(id).length >= count, { timeoutMs, intervalMs: 50, what: `${count} deliveries of ${id}` });
  return consumer.byId(id);
}

/** Waits for the Worker's `dead_lettered` log of `id` (written after the D1 row), then reads the row. */
async function deadLetter(id: string, timeoutMs = 30_000): Promise<DeadLetter | undefined> {
  await waitFor(() => gateway.logs("dead_lettered").some((l) => l["message_id"] === id), { timeoutMs, intervalMs: 50, what: `dead letter ${id}` });
  const rows = await gateway.d1<DeadLetter>(`SELECT id, reason, attempts, last_status, last_error, trace_id FROM dead_letters WHERE id = '${id}'`);
  return rows[0];
}

describe("async delivery through the real gateway", () => {
  it("delivers the exact body bytes with every contract header, signed and traced", async () => {
    const body = '{"type":"order.created",  "note":"Zoë ✓ \\u00e9",\n "amount":12.50}\r\n';
    const contentType = "application/json; charset=utf-8";
    const answer = await sendEvent(gateway.url, "/webhooks/acme", body, {
      secret: SOURCE_SECRET,
      contentType,
      headers: { "X-Idempotency-Key": "order-42-created", Authorization: "Bearer producer-token", Cookie: "session=abc" },
    });
    const id = messageIdOf(answer);
    const traceId = answer.body["trace_id"];
    expect(answer.headers.get("X-Message-Id")).toBe(id);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const [delivery] = await deliveries(id, 1);
    if (delivery === undefined) throw new Error("no delivery");
    const h = delivery.headers;
    expect(delivery.method).toBe("POST");
    expect(delivery.path).toBe("/ok");
    expect(delivery.body.equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(h["content-type"]).toBe(contentType);
    expect(h["webhook-id"]).toBe(id);
    const ts = Number(h["webhook-timestamp"]);
    expect(Math.abs(ts - Math.floor(delivery.receivedAt / 1000))).toBeLessThanOrEqual(5);
    expect(verifyStandardWebhookSignature(SIGNING_SECRET, h, delivery.body)).toBe(true);
    expect(delivery.signatureValid).toBe(true);
    expect(verifyStandardWebhookSignature(SOURCE_SECRET, h, delivery.body)).toBe(false);
    expect(h["x-event-type"]).toBe("order.created");
    expect(h["x-gateway-source"]).toBe("acme");
    expect(h["x-trace-id"]).toBe(traceId);
    expect(h["traceparent"]).toMatch(new RegExp(`^00-${String(traceId)}-[0-9a-f]{16}-0[01]$`));
    expect(h["x-idempotency-key"]).toBe("order-42-created");
    expect(h["x-callback-mode"]).toBe("async");
    expect(h["x-retry-attempt"]).toBe("1");
    expect(h["authorization"]).toBeUndefined();
    expect(h["cookie"]).toBeUndefined();
    await waitFor(() => gateway.logs("delivery_attempt").some((l) => l["message_id"] === id), { timeoutMs: 10_000, what: "the attempt log" });
    expect(gateway.logs("delivery_attempt").find((l) => l["message_id"] === id)).toMatchObject({ attempt: 1, outcome: "delivered", status: 200, trace_id: traceId });
  });

  it("delivers each event once when the producer sends it three times at once: one message id per event, no copy for a duplicate", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `dup-${i}-${Date.now()}`);
    const answers = await Promise.all(
      keys.flatMap((key) =>
        [0, 1, 2].map(async () => {
          const answer = await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type: "order.created", key }), { secret: SOURCE_SECRET, id: key });
          expect(answer.status).toBe(202);
          return { key, id: messageIdOf(answer) };
        }),
      ),
    );
    const idOf = new Map<string, string>();
    for (const { key, id } of answers) {
      expect(idOf.get(key) ?? id).toBe(id); // one message id per key
      idOf.set(key, id);
    }
    expect(idOf.size).toBe(30);
    for (const id of idOf.values()) expect((await deliveries(id, 1)).length).toBe(1);
    // Duplicates waited on the first request's reservation: none was enqueued, so none was dropped.
    const ids = new Set(idOf.values());
    expect(gateway.logs("duplicate_dropped").filter((l) => ids.has(String(l["owner"])))).toEqual([]);
  });

  it("sets X-Idempotency-Key to the producer's webhook-id when no X-Idempotency-Key was sent, else to the message id", async () => {
    const signed = messageIdOf(
      await sendEvent(gateway.url, "/webhooks/acme/order.created", "plain text body", { secret: SOURCE_SECRET, contentType: "text/plain", id: "evt_producer_1" }),
    );
    const [first] = await deliveries(signed, 1);
    expect(first?.headers["x-idempotency-key"]).toBe("evt_producer_1");
    expect(first?.headers["content-type"]).toBe("text/plain");
    expect(first?.body.toString("utf8")).toBe("plain text body");

    const res = await fetch(`${gateway.url}/webhooks/open/order.created`, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    const keyless = messageIdOf({ status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers });
    const [second] = await deliveries(keyless, 1);
    expect(second?.headers["x-idempotency-key"]).toBe(keyless);
  });

  it("retries a consumer that fails the first two attempts and delivers at attempt 3", async () => {
    const id = messageIdOf(await sendEvent(gateway.url, "/webhooks/acme", '{"type":"order.flaky"}', { secret: SOURCE_SECRET }));
    const seen = await deliveries(id, 3);
    expect(seen.map((r) => [r.attempt, r.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    const third = seen[2];
    expect(third?.headers["x-retry-attempt"]).toBe("3");
    expect(third?.signatureValid).toBe(true);
    expect(new Set(seen.map((r) => r.headers["x-trace-id"])).size).toBe(1);
    expect(new Set(seen.map((r) => r.body.toString("hex"))).size).toBe(1);
    await waitFor(() => gateway.logs("delivery_attempt").some((l) => l["message_id"] === id && l["outcome"] === "delivered"), { timeoutMs: 10_000, what: "delivered log" });
    expect(gateway.logs("dead_lettered").some((l) => l["message_id"] === id)).toBe(false);
  });

  it("dead-letters a 400 after one attempt, reason rejected", async () => {
    const answer = await sendEvent(gateway.url, "/webhooks/acme", '{"type":"order.rejected"}', { secret: SOURCE_SECRET });
    const id = messageIdOf(answer);
    const row = await deadLetter(id);
    expect(row).toMatchObject({ id, reason: "rejected", attempts: 1, last_status: 400, last_error: "HTTP 400", trace_id: answer.body["trace_id"] });
    expect(consumer.byId(id).map((r) => r.attempt)).toEqual([1]);
  });

  it("does not follow a 302: it counts as a failed attempt and the redirect target never sees the event", async () => {
    const id = messageIdOf(await sendEvent(gateway.url, "/webhooks/acme", '{"type":"order.redirected"}', { secret: SOURCE_SECRET }));
    const row = await deadLetter(id);
    expect(row).toMatchObject({ reason: "exhausted", attempts: 3, last_status: 302 });
    const seen = consumer.byId(id);
    expect(seen.map((r) => [r.path, r.attempt])).toEqual([
      ["/redirect", 1],
      ["/redirect", 2],
      ["/redirect", 3],
    ]);
  });

  it("dead-letters an event after the last attempt of its matrix ([0, 0] → 3 attempts) with the last status", async () => {
    const answer = await sendEvent(gateway.url, "/webhooks/acme", '{"type":"order.exhausted"}', { secret: SOURCE_SECRET });
    const id = messageIdOf(answer);
    const row = await deadLetter(id);
    expect(row).toMatchObject({ id, reason: "exhausted", attempts: 3, last_status: 503, last_error: "HTTP 503", trace_id: answer.body["trace_id"] });
    expect(consumer.byId(id).map((r) => [r.attempt, r.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
    ]);
    const attempts = gateway.logs("delivery_attempt").filter((l) => l["message_id"] === id);
    expect(attempts.map((l) => l["outcome"])).toEqual(["retry", "retry", "dead_letter"]);
  });
});
