// Reserve, send, own (docs/dedup.md): a queued async accept reserves its key in the shard's memory,
// sends its copies, then owns the key with the 202 in one row; duplicates wait on the reservation and
// are answered without being enqueued; the consumer's owner check delivers the owner's copies only.
// Each crash or failure point between the steps: nothing lost, nothing delivered twice.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import type { IdempotencyShard } from "../../src/objects/idempotency-shard";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import type { ConfigInput } from "../../src/config/schema";
import { checkedMessages } from "../../src/delivery/owner-check";
import type { OwnerCheck, StoredAnswer } from "../../src/ports/idempotency";
import { baseConfig, call, delivered, envWith, expectProblem, portsFor, recordingQueue, testEnv } from "./helpers";

const HOUR = 3_600_000;
const event = JSON.stringify({ type: "user.created", user_id: "u1" });
const answerOf = (id: string): StoredAnswer => ({ status: 202, headers: { "X-Message-Id": id }, body: `{"id":"${id}"}`, body_encoding: "utf8" });

function keyed(key: string, body = event, type = "user.created"): Request {
  return new Request(`https://gateway.test/webhooks/open/${type}`, { method: "POST", headers: { "Content-Type": "application/json", "X-Idempotency-Key": key }, body });
}

function shard() {
  return testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(`send-first-${crypto.randomUUID()}`));
}

const check = (key: string, owner: string, bodyHash = "h1"): OwnerCheck => ({ key, bodyHash, owner, answer: answerOf(owner), windowMs: HOUR });

/** The real dedup store, except that the row after the send is never written (`own`, alone or riding on another call). */
function ownFails(): Env["IDEMPOTENCY"] {
  const real = testEnv.IDEMPOTENCY;
  return {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) =>
      new Proxy(real.get(id), {
        get: (target, prop, receiver) =>
          prop === "own" || prop === "completeMany" ? () => Promise.reject(new Error("shard unreachable (test)")) : (Reflect.get(target, prop, receiver) as unknown),
      }),
  } as unknown as Env["IDEMPOTENCY"];
}

describe("the shard's send-first calls", () => {
  it("own: the first owner takes the key with its answer; the owner again is own; another owner gets that answer; another body is a conflict", async () => {
    const s = shard();
    const req = { key: "k", bodyHash: "h1", windowMs: HOUR, waitMs: 0 };
    expect(await s.own({ ...req, owner: "m1", answer: answerOf("m1") })).toEqual({ kind: "own" });
    expect(await s.own({ ...req, owner: "m1", answer: answerOf("m1") })).toEqual({ kind: "own" });
    expect(await s.own({ ...req, owner: "m2", answer: answerOf("m2") })).toEqual({ kind: "duplicate", answer: answerOf("m1") });
    expect(await s.own({ ...req, bodyHash: "h2", owner: "m3", answer: answerOf("m3") })).toEqual({ kind: "conflict" });
    // A claim-first request (sync) on the same key is a duplicate of the owner too.
    expect(await s.claim({ key: "k", bodyHash: "h1", windowMs: HOUR, leaseMs: 10_000, waitMs: 0 })).toEqual({ kind: "duplicate", answer: answerOf("m1") });
  });

  it("reserve: holds the key in memory; a duplicate waits for the owner's answer; another body is a conflict; unreserve lets the next one in", async () => {
    const s = shard();
    const req = { key: "r", bodyHash: "h1", leaseMs: 10_000, waitMs: 5_000 };
    expect(await s.reserve({ ...req, owner: "m1" })).toEqual({ kind: "new" });
    expect(await s.reserve({ ...req, bodyHash: "h2", owner: "m9" })).toEqual({ kind: "conflict" });
    expect(await s.reserve({ ...req, owner: "m2", waitMs: 0 })).toEqual({ kind: "busy" });
    const waiting = s.reserve({ ...req, owner: "m2" });
    expect(await s.own({ key: "r", bodyHash: "h1", owner: "m1", answer: answerOf("m1"), windowMs: HOUR, waitMs: 0 })).toEqual({ kind: "own" });
    expect(await waiting).toEqual({ kind: "duplicate", answer: answerOf("m1") });

    expect(await s.reserve({ ...req, key: "u", owner: "m3" })).toEqual({ kind: "new" });
    const next = s.reserve({ ...req, key: "u", owner: "m4" });
    await s.unreserve("u", "m3");
    expect(await next).toEqual({ kind: "new" });
    // A reservation holds no row: the key is absent to a reader until it is owned.
    expect(await s.peek("u")).toEqual({ kind: "absent" });
  });

  it("forgets reservations whose owner never came back: past 10,000 held, expired ones are swept", async () => {
    const s = shard();
    const left = await runInDurableObject(s, async (instance: IdempotencyShard) => {
      for (let i = 0; i < 10_000; i++) await instance.reserve({ key: `gone-${i}`, bodyHash: "h1", owner: `m${i}`, leaseMs: 1, waitMs: 0 });
      await new Promise((resolve) => setTimeout(resolve, 5)); // the 1 ms leases end on the object's real clock
      await instance.reserve({ key: "live", bodyHash: "h1", owner: "m-live", leaseMs: 10_000, waitMs: 0 });
      return (instance as unknown as { reserved: Map<string, unknown> }).reserved.size;
    });
    expect(left).toBe(1);
  });

  it("checkOwners: a copy whose key another request has reserved waits for that request's answer", async () => {
    const s = shard();
    expect(await s.reserve({ key: "w", bodyHash: "h1", owner: "m2", leaseMs: 10_000, waitMs: 0 })).toEqual({ kind: "new" });
    const [verdict] = await s.checkOwners([check("w", "m1")]);
    expect(verdict?.kind).toBe("wait");
    // The reserving request owns the key, the waiting copy is then dropped; the owner's copy is delivered.
    expect(await s.own({ key: "w", bodyHash: "h1", owner: "m2", answer: answerOf("m2"), windowMs: HOUR, waitMs: 0 })).toEqual({ kind: "own" });
    expect(await s.checkOwners([check("w", "m1"), check("w", "m2")])).toEqual([{ kind: "drop", owner: "m2" }, { kind: "deliver" }]);
  });

  it("checkOwners: a key with no row is taken for the message and delivered; the owner's copies deliver; others drop", async () => {
    const s = shard();
    expect(await s.checkOwners([check("orphan", "m1"), check("orphan", "m1"), check("orphan", "m2")])).toEqual([
      { kind: "deliver" },
      { kind: "deliver" },
      { kind: "drop", owner: "m1" },
    ]);
    // The request whose claim came late finds its own key; a retry under the same key gets m1's answer.
    expect(await s.own({ key: "orphan", bodyHash: "h1", owner: "m1", answer: answerOf("m1"), windowMs: HOUR, waitMs: 0 })).toEqual({ kind: "own" });
    expect(await s.own({ key: "orphan", bodyHash: "h1", owner: "m9", answer: answerOf("m9"), windowMs: HOUR, waitMs: 0 })).toEqual({ kind: "duplicate", answer: answerOf("m1") });
  });

  it("checkOwners: a key a claim-first request holds waits (its holder may still give it back), and is taken once the lease ran out", async () => {
    const s = shard();
    expect(await s.claim({ key: "held", bodyHash: "h1", windowMs: HOUR, leaseMs: 60_000, waitMs: 0 })).toEqual({ kind: "new" });
    const [verdict] = await s.checkOwners([check("held", "m1")]);
    expect(verdict?.kind).toBe("wait");
    expect(verdict?.kind === "wait" && verdict.retryMs > 50_000 && verdict.retryMs <= 60_000).toBe(true);
    // Released (its send failed): the waiting message's next look takes the key.
    await s.release("held");
    expect(await s.checkOwners([check("held", "m1")])).toEqual([{ kind: "deliver" }]);

    expect(await s.claim({ key: "died", bodyHash: "h1", windowMs: HOUR, leaseMs: 1, waitMs: 0 })).toEqual({ kind: "new" });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a 1 ms lease on the object's real clock
    expect(await s.checkOwners([check("died", "m1")])).toEqual([{ kind: "deliver" }]);
  });
});

describe("crash and failure points through the gateway", () => {
  it("send failed: 503 with nothing held, and the producer's retry goes through", async () => {
    const key = `sf-send-${crypto.randomUUID()}`;
    await expectProblem(await call(keyed(key), envWith(baseConfig(), { DELIVERY_QUEUE: recordingQueue({ fail: true }).queue })), 503, "unavailable");
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const retry = await call(keyed(key), env);
    expect(retry.status).toBe(202);
    expect(retry.headers.get("X-Idempotent-Replay")).toBeNull();
    expect(await delivered(q.sent, env)).toHaveLength(1);
  });

  it("sent and answered, then the row was never written (the Worker or the call died): the consumer takes the key for the queued copy, and the retry answers as its owner, enqueuing nothing", async () => {
    const key = `sf-claim-${crypto.randomUUID()}`;
    const q = recordingQueue();
    const broken = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue, IDEMPOTENCY: ownFails() });
    const first = await call(keyed(key), broken);
    expect(first.status).toBe(202);
    expect(q.sent).toHaveLength(1);
    const orphan = q.sent[0] as Envelope;
    expect(first.headers.get("X-Message-Id")).toBe(orphan.id);

    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    expect((await delivered([orphan], env)).map((e) => e.id)).toEqual([orphan.id]);
    const retry = await call(keyed(key), env);
    expect(retry.status).toBe(202);
    expect(retry.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(retry.headers.get("X-Message-Id")).toBe(orphan.id);
    expect(q.sent).toHaveLength(1);
  });

  it("a copy whose request died after the send, and a retry that reserved, sent and owned after the lease: the retry's copy is delivered, the orphan dropped", async () => {
    const s = shard();
    // The first request reserved with a lease that ran out, sent its copy m1, and never came back.
    expect(await s.reserve({ key: "late", bodyHash: "h1", owner: "m1", leaseMs: 1, waitMs: 0 })).toEqual({ kind: "new" });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a 1 ms lease on the object's real clock
    expect(await s.reserve({ key: "late", bodyHash: "h1", owner: "m2", leaseMs: 10_000, waitMs: 0 })).toEqual({ kind: "new" });
    expect(await s.own({ key: "late", bodyHash: "h1", owner: "m2", answer: answerOf("m2"), windowMs: HOUR, waitMs: 0 })).toEqual({ kind: "own" });
    expect(await s.checkOwners([check("late", "m1"), check("late", "m2")])).toEqual([{ kind: "drop", owner: "m2" }, { kind: "deliver" }]);
  });

  it("answers 202 before the row is stored, and every key's duplicate still gets its first answer and enqueues nothing", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const keys = Array.from({ length: 8 }, () => `sf-ride-${crypto.randomUUID()}`);
    const firsts = await Promise.all(keys.map(async (key) => call(keyed(key), env)));
    expect(firsts.map((r) => r.status)).toEqual(Array(8).fill(202));
    const again = await Promise.all(keys.map(async (key) => call(keyed(key), env)));
    expect(again.map((r) => r.headers.get("X-Idempotent-Replay"))).toEqual(Array(8).fill("true"));
    expect(again.map((r) => r.headers.get("X-Message-Id"))).toEqual(firsts.map((r) => r.headers.get("X-Message-Id")));
    expect(q.sent).toHaveLength(8);
  });

  it("a 409 enqueues nothing: the key belongs to the first body", async () => {
    const key = `sf-409-${crypto.randomUUID()}`;
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    expect((await call(keyed(key), env)).status).toBe(202);
    await expectProblem(await call(keyed(key, event.replace("u1", "u2")), env), 409, "idempotency-key-reused");
    expect(q.sent).toHaveLength(1);
    expect((await delivered(q.sent, env)).map((e) => e.id)).toEqual([(q.sent[0] as Envelope).id]);
  });

  it("fan-out: a concurrent duplicate waits for the owner and enqueues nothing; the owner's three copies are delivered", async () => {
    const config: ConfigInput = baseConfig({
      endpoints: { a: { url: "http://127.0.0.1:9/a" }, b: { url: "http://127.0.0.1:9/b" }, c: { url: "http://127.0.0.1:9/c" } },
      routing_rules: [{ event_type: "user.*", mode: "async", destinations: [{ endpoint: "a" }, { endpoint: "b" }, { endpoint: "c" }] }],
    });
    const q = recordingQueue();
    const env = envWith(config, { DELIVERY_QUEUE: q.queue });
    const key = `sf-fan-${crypto.randomUUID()}`;
    const [one, two] = await Promise.all([call(keyed(key), env), call(keyed(key), env)]);
    expect(one?.headers.get("X-Message-Id")).toBe(two?.headers.get("X-Message-Id"));
    expect(q.sent).toHaveLength(3);
    const out = await delivered(q.sent, env);
    expect(out.map((e) => e.endpoint).sort()).toEqual(["a", "b", "c"]);
    expect(new Set(out.map((e) => e.id))).toEqual(new Set([one?.headers.get("X-Message-Id")]));
  });

  it("the consumer cannot reach the shard: the checked messages are retried, none delivered or acked", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    expect((await call(keyed(`sf-down-${crypto.randomUUID()}`), env)).status).toBe(202);
    const down = envWith(baseConfig(), {
      IDEMPOTENCY: { idFromName: () => testEnv.IDEMPOTENCY.idFromName("x"), get: () => ({ checkOwners: () => Promise.reject(new Error("down (test)")) }) },
    });
    const batch = createMessageBatch("hookgate-delivery", [{ id: "q1", timestamp: new Date(), attempts: 1, body: q.sent[0] }]);
    const ctx = createExecutionContext();
    expect(await checkedMessages(batch.messages, portsFor(down), batch.queue)).toHaveLength(0);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["q1"]);
  });

  it("strips the owner check once delivery goes on: the retry of a failed attempt carries none and is not checked again", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    expect((await call(keyed(`sf-strip-${crypto.randomUUID()}`), env)).status).toBe(202);
    expect((q.sent[0] as Envelope).dedup?.key).toMatch(/^open:k:sf-strip-/);
    const calls = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 500 }));
    const batch = createMessageBatch("hookgate-delivery", [{ id: "q1", timestamp: new Date(), attempts: 1, body: q.sent[0] }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(result.explicitAcks).toEqual(["q1"]);
    const next = q.sent[1] as Envelope;
    expect(next.attempt).toBe(1);
    expect(next.dedup).toBeUndefined();
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
