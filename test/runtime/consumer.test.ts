// The delivery queue consumer inside workerd: ack only after the next step is durable (re-enqueued
// with attempt+1 and a delay, or written to D1), retry (never ack) when that step fails, and land
// malformed envelopes and Queues dead-letter-queue messages in D1. Outbound fetch is a spy.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { payloadKey, type Envelope } from "../../src/core/envelope";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { setLogSink } from "../../src/log";
import { baseConfig, envWith, testEnv, testEnvelope } from "./helpers";

const ENDPOINT_URL = "https://hooks.example.com/deliveries";
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

function gatewayEnv(): Env {
  return envWith(
    baseConfig({
      allow_private_networks: false,
      endpoints: { profiles: { url: ENDPOINT_URL, circuit_breaker: NO_TRIP } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "profiles" }],
    }),
  );
}

let n = 0;
function envelope(overrides: Partial<Envelope> = {}): Envelope {
  n += 1;
  return testEnvelope({ idempotency_key: `key-${n}`, ...overrides }, "msg_CONSUMERTEST");
}

interface Sent {
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** Stubs outbound fetch with one status for every call and records the requests. */
function endpointAnswers(status: number, headers: Record<string, string> = {}): Sent[] {
  const sent: Sent[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, headers: request.headers, body: new Uint8Array(await request.arrayBuffer()) });
    return new Response(status === 204 ? null : "answer", { status, headers });
  });
  return sent;
}

async function consume(e: Env, body: unknown, queue = "hookgate-delivery", id = `qm-${++n}`) {
  const batch = createMessageBatch(queue, [{ id, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return { id, result: await getQueueResult(batch, ctx) };
}

interface Row {
  reason: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  body: ArrayBuffer | null;
}

async function deadLetterRow(id: string): Promise<Row | null> {
  return testEnv.DB.prepare("SELECT reason, attempts, last_status, last_error, body FROM dead_letters WHERE id = ?").bind(id).first<Row>();
}

let logLines: string[] = [];
beforeEach(() => {
  forgetGuardCache();
  logLines = [];
  setLogSink((line) => logLines.push(line));
});
afterEach(() => {
  setLogSink(undefined);
  vi.restoreAllMocks();
});

describe("delivery queue consumer", () => {
  it("acks a message whose attempt got a 2xx, after delivering its exact bytes", async () => {
    const sent = endpointAnswers(204);
    const env = gatewayEnv();
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    const e = envelope();
    const { id, result } = await consume(env, e);
    expect(result.explicitAcks).toEqual([id]);
    expect(result.retryMessages).toEqual([]);
    expect(send).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(ENDPOINT_URL);
    expect(sent[0]?.headers.get("X-Retry-Attempt")).toBe("1");
    expect(e.body.kind === "inline" && sent[0]?.body).toEqual(e.body.kind === "inline" ? e.body.bytes : null);
    expect(await deadLetterRow(e.id)).toBeNull();
  });

  it.each([
    [500, 1],
    [1500, 2],
    [4000, 4],
  ])("re-enqueues a 503 with attempt+1 and the %i ms step rounded up to %i s, then acks the original", async (step, seconds) => {
    endpointAnswers(503);
    vi.spyOn(Math, "random").mockReturnValue(0.5); // jitter factor exactly 1
    const env = gatewayEnv();
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    const e = envelope({ policy: { matrix: [step, step], max_attempts: 3 } });
    const { id, result } = await consume(env, e);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0]).toMatchObject({ id: e.id, attempt: 1, last_status: 503, last_error: "HTTP 503", trace_id: e.trace_id });
    // "v8" keeps the inline body a Uint8Array across the queue (the default JSON would mangle it).
    expect(send.mock.calls[0]?.[1]).toEqual({ contentType: "v8", delaySeconds: seconds });
    expect(result.explicitAcks).toEqual([id]);
    expect(result.retryMessages).toEqual([]);
  });

  it("keeps any jittered delay within the rounded-up bounds of the step", async () => {
    endpointAnswers(503);
    const env = gatewayEnv();
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    for (let i = 0; i < 5; i++) await consume(env, envelope({ policy: { matrix: [1500], max_attempts: 2 } }));
    // 1500 ms ± 20 % is 1200..1800 ms: always 2 s on the queue.
    expect(send.mock.calls.map((call) => (call[1] as { delaySeconds?: number } | undefined)?.delaySeconds)).toEqual([2, 2, 2, 2, 2]);
  });

  it("dead-letters a 400 at once (reason rejected, attempts 1, last_status 400) and then acks", async () => {
    endpointAnswers(400);
    const env = gatewayEnv();
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    const e = envelope();
    const { id, result } = await consume(env, e);
    expect(await deadLetterRow(e.id)).toMatchObject({ reason: "rejected", attempts: 1, last_status: 400, last_error: "HTTP 400" });
    expect(result.explicitAcks).toEqual([id]);
    expect(send).not.toHaveBeenCalled();
  });

  it("dead-letters a 410 with reason gone", async () => {
    endpointAnswers(410);
    const e = envelope();
    const { id, result } = await consume(gatewayEnv(), e);
    expect(await deadLetterRow(e.id)).toMatchObject({ reason: "gone", attempts: 1, last_status: 410 });
    expect(result.explicitAcks).toEqual([id]);
  });

  it("dead-letters as exhausted when the last allowed attempt fails, keeping the body", async () => {
    endpointAnswers(503);
    const env = gatewayEnv();
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    const e = envelope({ attempt: 2, last_status: 503, last_error: "HTTP 503" });
    const { id, result } = await consume(env, e);
    const row = await deadLetterRow(e.id);
    expect(row).toMatchObject({ reason: "exhausted", attempts: 3, last_status: 503 });
    expect(new Uint8Array(row?.body ?? new ArrayBuffer(0))).toEqual(e.body.kind === "inline" ? e.body.bytes : null);
    expect(send).not.toHaveBeenCalled();
    expect(result.explicitAcks).toEqual([id]);
  });

  it("retries (does not ack) when D1 fails before the dead-letter write, and loses nothing", async () => {
    endpointAnswers(400);
    const env = gatewayEnv();
    const prepare = vi.spyOn(env.DB, "prepare").mockImplementation(() => {
      throw new Error("D1 unavailable (test)");
    });
    const e = envelope();
    const first = await consume(env, e);
    expect(first.result.explicitAcks).toEqual([]);
    expect(first.result.retryMessages.map((m) => m.msgId)).toEqual([first.id]);
    expect(logLines.some((l) => l.includes('"event":"consumer_error"'))).toBe(true);
    prepare.mockRestore();
    expect(await deadLetterRow(e.id)).toBeNull();

    // The redelivered message lands in D1 once it is reachable again.
    const second = await consume(env, e);
    expect(second.result.explicitAcks).toEqual([second.id]);
    expect(await deadLetterRow(e.id)).toMatchObject({ reason: "rejected", attempts: 1, last_status: 400 });
  });

  it("retries (does not ack) when the re-enqueue of a retry fails", async () => {
    endpointAnswers(503);
    const env = gatewayEnv();
    vi.spyOn(env.DELIVERY_QUEUE, "send").mockRejectedValue(new Error("queue unavailable (test)"));
    const { id, result } = await consume(env, envelope());
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([id]);
  });

  it("stores a malformed envelope in D1 with reason malformed and acks it", async () => {
    const sent = endpointAnswers(200);
    const { id, result } = await consume(gatewayEnv(), { v: 2, id: "not-an-envelope" });
    expect(await deadLetterRow(`queue_${id}`)).toMatchObject({ reason: "malformed", attempts: 0 });
    expect(result.explicitAcks).toEqual([id]);
    expect(sent).toHaveLength(0);
  });

  it("lands a message from the hookgate-delivery-dlq queue in D1 as exhausted without calling the endpoint", async () => {
    const sent = endpointAnswers(200);
    const e = envelope({ attempt: 2, last_status: 502, last_error: "HTTP 502" });
    const { id, result } = await consume(gatewayEnv(), e, "hookgate-delivery-dlq");
    const row = await deadLetterRow(e.id);
    expect(row).toMatchObject({ reason: "exhausted", attempts: 2, last_status: 502 });
    expect(row?.last_error).toContain("HTTP 502");
    expect(result.explicitAcks).toEqual([id]);
    expect(sent).toHaveLength(0);
  });

  it("fetches an R2 claim-checked body back and delivers it byte-exact, then removes the object", async () => {
    const sent = endpointAnswers(200);
    const env = gatewayEnv();
    const bytes = new Uint8Array(150_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
    const base = envelope();
    const key = payloadKey(base.id);
    await env.PAYLOADS.put(key, bytes);
    const e = { ...base, content_type: "application/octet-stream", body: { kind: "r2" as const, key, size: bytes.byteLength } };
    const { id, result } = await consume(env, e);
    expect(result.explicitAcks).toEqual([id]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.byteLength).toBe(bytes.byteLength);
    expect(sent[0]?.body).toEqual(bytes);
    expect(sent[0]?.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(await env.PAYLOADS.head(key)).toBeNull();
  });
});

describe("a full batch of 100", () => {
  it("delivers every message with at most six calls in flight at once (the invocation's connection limit), then acks all", async () => {
    let inFlight = 0;
    let most = 0;
    const calls: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Yield to the event loop, so deliveries started all at once would all be in here together.
      await new Promise((resolve) => setTimeout(resolve, 1));
      calls.push(request.headers.get("webhook-id") ?? "");
      inFlight -= 1;
      return new Response("ok", { status: 200 });
    });
    const envelopes = Array.from({ length: 100 }, () => envelope());
    const batch = createMessageBatch(
      "hookgate-delivery",
      envelopes.map((body, i) => ({ id: `full-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, gatewayEnv(), ctx);
    const result = await getQueueResult(batch, ctx);
    expect(most).toBe(6);
    expect(new Set(calls)).toEqual(new Set(envelopes.map((e) => e.id)));
    expect(calls).toHaveLength(100);
    expect([...result.explicitAcks].sort()).toEqual(envelopes.map((_, i) => `full-${i}`).sort());
  });
});
