// A signed gzip body keeps its Content-Encoding on every hop: the sync call, the queue envelope and the
// async attempt made from it, the dead letter (GET /admin/dlq/{id}) and the replay of that dead letter.
// The bytes stay the ones received (the producer's signature covers them). Outbound fetch is a spy.
import { describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { DeadLetterDetailSchema } from "../../src/http/admin/docs/schemas";
import { baseConfig, call, captureLogsPerTest, envWith, recordingQueue, signedRequest } from "./helpers";

captureLogsPerTest();

const ENDPOINT_URL = "https://hooks.example.com/gzip";
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

interface Delivered {
  headers: Headers;
  body: Uint8Array;
}

/** Stubs outbound fetch: records each delivery and answers `status`. */
function endpointAnswers(status: number): Delivered[] {
  const delivered: Delivered[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    delivered.push({ headers: request.headers, body: new Uint8Array(await request.arrayBuffer()) });
    return new Response(status === 200 ? '{"ok":true}' : "no", { status, headers: { "Content-Type": "application/json" } });
  });
  return delivered;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
}

function gatewayEnv(queue: Queue<unknown>): Env {
  return envWith(
    baseConfig({
      allow_private_networks: false,
      endpoints: { gz: { url: ENDPOINT_URL, circuit_breaker: NO_TRIP } },
      routing_rules: [
        { event_type: "payment.authorize", mode: "sync", endpoint: "gz", timeout_ms: 2_000 },
        { event_type: "user.*", mode: "async", endpoint: "gz", retry_matrix: [0] },
      ],
    }),
    { DELIVERY_QUEUE: queue },
  );
}

async function consume(e: Env, envelope: Envelope): Promise<void> {
  const batch = createMessageBatch("hookgate-delivery", [{ id: `qm-${envelope.id}-${envelope.replay_count}`, timestamp: new Date(), attempts: 1, body: envelope }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  await getQueueResult(batch, ctx);
}

const admin = (path: string, method = "GET") => new Request(`https://gateway.test/admin${path}`, { method, headers: { Authorization: "Bearer test-admin-token" } });

describe("Content-Encoding of a compressed body", () => {
  it("reaches a sync endpoint with the body's bytes and its Content-Encoding", async () => {
    const body = await gzip(JSON.stringify({ type: "payment.authorize", amount: 1200 }));
    const delivered = endpointAnswers(200);
    const e = gatewayEnv(recordingQueue().queue);
    const res = await call(await signedRequest("/webhooks/acme/payment.authorize", body, { headers: { "Content-Encoding": "gzip" } }), e);
    expect(res.status).toBe(200);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.headers.get("Content-Encoding")).toBe("gzip");
    expect(delivered[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(delivered[0]?.body).toEqual(body);
    expect(await gunzip(body)).toContain("payment.authorize");
  });

  it("travels in the queue envelope to the async attempt, into the dead letter, and out again on replay", async () => {
    const body = await gzip(JSON.stringify({ type: "user.created", name: "Ada" }));
    const queued = recordingQueue();
    const e = gatewayEnv(queued.queue);
    const accepted = await call(await signedRequest("/webhooks/acme/user.created", body, { headers: { "Content-Encoding": "gzip" } }), e);
    expect(accepted.status).toBe(202);
    const envelope = queued.sent[0] as Envelope;
    expect(envelope.headers).toContainEqual(["Content-Encoding", "gzip"]);

    // The endpoint refuses it (a final 400): one attempt, delivered labelled, then a dead letter.
    const refused = endpointAnswers(400);
    await consume(e, envelope);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.headers.get("Content-Encoding")).toBe("gzip");
    expect(refused[0]?.body).toEqual(body);

    const shown = DeadLetterDetailSchema.parse(await (await call(admin(`/dlq/${envelope.id}`), e)).json());
    expect(shown.headers["Content-Encoding"]).toBe("gzip");
    expect(shown.body_encoding).toBe("base64");
    expect(Uint8Array.from(atob(shown.body ?? ""), (c) => c.charCodeAt(0))).toEqual(body);

    expect((await call(admin(`/dlq/${envelope.id}/replay`, "POST"), e)).status).toBe(202);
    const replayed = queued.sent[1] as Envelope;
    expect(replayed).toMatchObject({ id: envelope.id, replay_count: 1 });
    expect(replayed.headers).toContainEqual(["Content-Encoding", "gzip"]);
    vi.restoreAllMocks();
    const redelivered = endpointAnswers(200);
    await consume(e, replayed);
    expect(redelivered[0]?.headers.get("Content-Encoding")).toBe("gzip");
    expect(redelivered[0]?.body).toEqual(body);
  });

  it("forwards Content-Encoding once when the rule also lists it in forward_headers", async () => {
    const body = await gzip(JSON.stringify({ type: "user.created" }));
    const queued = recordingQueue();
    const e = envWith(
      baseConfig({
        endpoints: { gz: { url: ENDPOINT_URL } },
        routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "gz", forward_headers: ["content-encoding", "X-Tenant"] }],
      }),
      { DELIVERY_QUEUE: queued.queue },
    );
    const res = await call(await signedRequest("/webhooks/acme/user.created", body, { headers: { "Content-Encoding": "gzip", "X-Tenant": "t1" } }), e);
    expect(res.status).toBe(202);
    expect((queued.sent[0] as Envelope).headers).toEqual([
      ["Content-Encoding", "gzip"],
      ["X-Tenant", "t1"],
    ]);
  });

  it("adds no Content-Encoding to a body sent without one", async () => {
    const queued = recordingQueue();
    const res = await call(await signedRequest("/webhooks/acme/user.created", JSON.stringify({ type: "user.created" })), gatewayEnv(queued.queue));
    expect(res.status).toBe(202);
    expect((queued.sent[0] as Envelope).headers).toEqual([]);
  });
});
