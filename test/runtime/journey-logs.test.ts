// One trace across a whole journey: ingress → sync timeout → fallback → two failed async attempts →
// success. Every log line carries the same trace id and the documented fields; no secret or body text.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import { setLogSink } from "../../src/log";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { parseTraceparent } from "../../src/core/trace";
import { baseConfig, call, envWith, recordingQueue, signedRequest, SIGNING_SECRET, SW_SECRET } from "./helpers";

const URL_ = "http://127.0.0.1:9/journey";
const BODY_MARKER = "journey-body-text-4242";

afterEach(() => {
  setLogSink(undefined);
  vi.restoreAllMocks();
  forgetGuardCache();
});

describe("a full journey's logs", () => {
  it("carry one trace id from ingress through fallback and every async attempt, with no secret or body text", async () => {
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    setLogSink((line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const { queue, sent } = recordingQueue();
    const e = envWith(
      baseConfig({
        endpoints: {
          journey: { url: URL_, signing_secrets: ["PROFILES_SIGNING_SECRET"], circuit_breaker: { failure_threshold: 100, recovery_timeout_ms: 1000, half_open_max_probes: 1 } },
        },
        routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: "journey", timeout_ms: 50, fallback: "async_dlq", retry_matrix: [0, 0, 0] }],
      }),
      { DELIVERY_QUEUE: queue },
    );

    const traceparents: string[] = [];
    let calls = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      traceparents.push(request.headers.get("traceparent") ?? "");
      calls += 1;
      if (calls === 1) {
        // The sync call: never answers before its AbortSignal fires.
        return new Promise<Response>((_resolve, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
      }
      return new Response(calls < 4 ? "busy" : "ok", { status: calls < 4 ? 503 : 200 });
    });

    const res = await call(
      await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize", note: BODY_MARKER }), { headers: { "X-Idempotency-Key": "journey-1" } }),
      e,
    );
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; trace_id: string; fallback: string };
    expect(accepted.fallback).toBe("timeout");

    // Drive the queue consumer through three attempts, feeding each re-enqueued envelope back in.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const envelope = sent.shift();
      expect(envelope, `envelope for attempt ${attempt}`).toBeDefined();
      const batch = createMessageBatch("hookgate-delivery", [{ id: `q${attempt}`, timestamp: new Date(), attempts: 1, body: envelope }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, e, ctx);
      await getQueueResult(batch, ctx);
    }
    expect(sent).toHaveLength(0);

    const traced = lines.filter((l) => "trace_id" in l);
    const events = traced.map((l) => l["event"]);
    expect(events).toEqual(expect.arrayContaining(["ingress", "sync_call", "sync_to_async_fallback", "delivery_attempt"]));
    for (const line of traced) expect(line["trace_id"]).toBe(accepted.trace_id);
    for (const tp of traceparents) expect(parseTraceparent(tp)?.traceId).toBe(accepted.trace_id);

    const ingress = traced.find((l) => l["event"] === "ingress");
    expect(ingress).toMatchObject({
      status: 202,
      source: "acme",
      event_type: "payment.authorize",
      route: "payment.authorize",
      endpoint: "journey",
      mode: "sync",
      message_id: accepted.id,
      outcome: "fallback",
    });
    const attempts = traced.filter((l) => l["event"] === "delivery_attempt");
    expect(attempts.map((l) => [l["attempt"], l["outcome"], l["status"]])).toEqual([
      [1, "retry", 503],
      [2, "retry", 503],
      [3, "delivered", 200],
    ]);
    for (const a of attempts) {
      expect(a).toMatchObject({
        message_id: accepted.id,
        source: "acme",
        route: "payment.authorize",
        endpoint: "journey",
        mode: "async",
        "event.type": "payment.authorize",
        "consumer.endpoint": "journey",
      });
      expect(typeof a["latency_ms"]).toBe("number");
      expect(a["retry.attempt"]).toBe(a["attempt"]);
    }
    const fallback = traced.find((l) => l["event"] === "sync_to_async_fallback");
    expect(fallback).toMatchObject({ fallback: "timeout", message_id: accepted.id });

    const all = raw.join("\n");
    for (const secret of [SW_SECRET, SIGNING_SECRET, BODY_MARKER, "127.0.0.1:9"]) expect(all).not.toContain(secret);
  });
});
