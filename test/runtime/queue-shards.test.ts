// Queue sharding inside workerd: an async route spreads over K producer bindings by message id, an
// ordering key keeps one queue, retries and replays land in a current shard, and a shard the Worker
// does not bind makes the config invalid with the binding's name.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Envelope } from "../../src/core/envelope";
import { queueBindingFor, queueIndexOf } from "../../src/core/queue-shard";
import { deliveryQueue } from "../../src/adapters/queue";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { loadCheckedConfig } from "../../src/wiring";
import { baseConfig, call, envWith, recordingQueue, signedRequest, testEnvelope } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
  forgetGuardCache();
});

const NAMES = ["DELIVERY_QUEUE", "DELIVERY_QUEUE_1", "DELIVERY_QUEUE_2", "DELIVERY_QUEUE_3"];

function shardedEnv(shards: number) {
  const queues = Object.fromEntries(NAMES.map((n) => [n, recordingQueue()]));
  const e = envWith(baseConfig({ queue_shards: { DELIVERY_QUEUE: shards } }), Object.fromEntries(NAMES.map((n) => [n, queues[n]?.queue])));
  const sentTo = (name: string) => (queues[name]?.sent ?? []) as Envelope[];
  return { e, sentTo };
}

describe("queue sharding", () => {
  it("spreads an async route's events over its K queues by message id, each where queueBindingFor says", async () => {
    const { e, sentTo } = shardedEnv(4);
    for (let i = 0; i < 40; i++) {
      const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created", i })), e);
      expect(res.status).toBe(202);
    }
    const counts = NAMES.map((n) => sentTo(n).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(3);
    for (const name of NAMES) {
      for (const envelope of sentTo(name)) {
        expect(envelope.queue).toBe("DELIVERY_QUEUE"); // the envelope names the base; the shard is recomputed
        expect(queueBindingFor(envelope, 4)).toBe(name);
      }
    }
  });

  it("keeps every event of one ordering key in one queue, whatever its message id", async () => {
    const queues = NAMES.map(() => recordingQueue());
    const port = deliveryQueue(
      (name) => queues[NAMES.indexOf(name)]?.queue,
      () => 4,
    );
    const keys = ["cust_1", "cust_2", "cust_3", "cust_4", "cust_5", "cust_6"];
    for (const key of keys) for (let s = 1; s <= 5; s++) await port.send(testEnvelope({ ordering: { key, sequence: s } }));
    for (const key of keys) {
      const holding = queues.map((q) => (q.sent as Envelope[]).filter((m) => m.ordering?.key === key).length);
      expect(holding.filter((n) => n > 0)).toEqual([5]);
      expect(holding[queueIndexOf(`key:${key}`, 4)]).toBe(5);
    }
  });

  it("splits a fan-out batch by binding and sends one sendBatch per shard", async () => {
    const queues = NAMES.map(() => recordingQueue());
    const port = deliveryQueue(
      (name) => queues[NAMES.indexOf(name)]?.queue,
      () => 4,
    );
    const batch = Array.from({ length: 12 }, () => testEnvelope());
    await port.sendBatch(batch);
    for (const envelope of batch) expect(queues[NAMES.indexOf(queueBindingFor(envelope, 4))]?.sent).toContainEqual(envelope);
  });

  it("re-enqueues a retry from any shard's consumer into the message's current shard", async () => {
    const { e, sentTo } = shardedEnv(4);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
    const envelope = testEnvelope({ policy: { matrix: [1000, 1000], max_attempts: 3 } });
    const batch = createMessageBatch("hookgate-delivery-2", [{ id: "qm-shard-1", timestamp: new Date(), attempts: 1, body: envelope }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, e, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["qm-shard-1"]);
    const target = queueBindingFor(envelope, 4);
    expect(sentTo(target).map((m) => [m.id, m.attempt])).toEqual([[envelope.id, 1]]);
  });

  it("still lands in a bound queue after K shrinks (retries of messages sent under the larger K)", async () => {
    const { e, sentTo } = shardedEnv(2);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
    const envelopes = Array.from({ length: 8 }, () => testEnvelope({ policy: { matrix: [1000, 1000], max_attempts: 3 } }));
    const batch = createMessageBatch(
      "hookgate-delivery-3",
      envelopes.map((body, i) => ({ id: `qm-shrink-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, e, ctx);
    await getQueueResult(batch, ctx);
    expect(sentTo("DELIVERY_QUEUE").length + sentTo("DELIVERY_QUEUE_1").length).toBe(8);
    expect(sentTo("DELIVERY_QUEUE_2").length + sentTo("DELIVERY_QUEUE_3").length).toBe(0);
  });

  it("refuses a config whose shards the Worker does not bind, naming the missing binding", async () => {
    const e = envWith(baseConfig({ queue_shards: { DELIVERY_QUEUE: 6 } }));
    const loaded = loadCheckedConfig(e);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.join("\n")).toMatch(/DELIVERY_QUEUE_4 is not bound.*\n.*DELIVERY_QUEUE_5 is not bound/);
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" })), e);
    expect(res.status).toBe(500);
  });

  it("binds the four shards wrangler.toml declares", () => {
    const loaded = loadCheckedConfig(envWith(baseConfig({ queue_shards: { DELIVERY_QUEUE: 4 } })));
    expect(loaded.ok).toBe(true);
  });
});
