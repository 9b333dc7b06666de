// Dedup at ingress (docs/contract.md §2): duplicates replay the first answer and enqueue nothing, also when
// 50 arrive at once; a reused key with another body is a conflict; signature replays without a key
// are duplicates; a failed hand-off gives the key back so the producer's retry goes through.
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../src/core/envelope";
import type { ConfigInput } from "../../src/config/schema";
import { baseConfig, call, envWith, expectProblem, recordingQueue, schemeHeaders, secretFor, signedRequest } from "./helpers";

const event = JSON.stringify({ type: "user.created", user_id: "u1" });

function keyed(key: string, body: string, source = "open"): Request {
  return new Request(`https://gateway.test/webhooks/${source}/user.created`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Idempotency-Key": key },
    body,
  });
}

async function snapshot(res: Response) {
  return { status: res.status, body: await res.text(), id: res.headers.get("X-Message-Id"), replay: res.headers.get("X-Idempotent-Replay") };
}

describe("duplicates", () => {
  it("answers a repeated key with the same body with the first answer and X-Idempotent-Replay, enqueuing once", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const key = `order-${crypto.randomUUID()}`;
    const first = await snapshot(await call(keyed(key, event), env));
    const second = await call(keyed(key, event), env);
    const again = await snapshot(second);
    expect(first.status).toBe(202);
    expect(first.replay).toBeNull();
    expect(again).toEqual({ ...first, replay: "true" });
    expect(second.headers.get("Strict-Transport-Security")).not.toBeNull();
    expect(q.sent).toHaveLength(1);
  });

  it("lets 50 concurrent duplicates through exactly once: all 202, one message id, 49 replays", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const key = `burst-${crypto.randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 50 }, async () => snapshot(await call(keyed(key, event), env))));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.filter((a) => a.replay === "true")).toHaveLength(49);
    expect(q.sent).toHaveLength(1);
    expect((q.sent[0] as Envelope).id).toBe(answers[0]?.id);
  });

  it("answers 409 idempotency-key-reused for the same key with a different body", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const key = `reuse-${crypto.randomUUID()}`;
    expect((await call(keyed(key, event), env)).status).toBe(202);
    await expectProblem(await call(keyed(key, event.replace("u1", "u9")), env), 409, "idempotency-key-reused");
    expect(q.sent).toHaveLength(1);
  });

  it("keeps keys apart per source", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const key = `shared-${crypto.randomUUID()}`;
    expect((await call(keyed(key, event, "open"), env)).status).toBe(202);
    const other = await call(await signedRequest("/webhooks/acme", event, { headers: { "X-Idempotency-Key": key } }), env);
    expect(other.status).toBe(202);
    expect(other.headers.get("X-Idempotent-Replay")).toBeNull();
    expect(q.sent).toHaveLength(2);
  });

  it("takes webhook-id as the key when X-Idempotency-Key is absent", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const id = `msg_${crypto.randomUUID()}`;
    const first = await call(await signedRequest("/webhooks/acme", event, { id }), env);
    const second = await call(await signedRequest("/webhooks/acme", event, { id }), env);
    expect(second.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(second.headers.get("X-Message-Id")).toBe(first.headers.get("X-Message-Id"));
    expect(q.sent).toHaveLength(1);
  });
});

describe("signature replays without an idempotency key", () => {
  function configFor(scheme: "github" | "hmac-sha256-hex"): ConfigInput {
    return baseConfig({
      sources: { signed: { verify: { scheme, secrets: ["SIGNED_SECRET"] }, event_type_header: "X-Event-Type" } },
      routing_rules: [{ event_type: "push", mode: "async", endpoint: "profiles" }],
    });
  }

  it("answers the same signed github request twice as a duplicate", async () => {
    const q = recordingQueue();
    const env = envWith(configFor("github"), { DELIVERY_QUEUE: q.queue, SIGNED_SECRET: secretFor("github") });
    const body = new TextEncoder().encode(JSON.stringify({ ref: "refs/heads/main", n: crypto.randomUUID() }));
    const headers = { ...(await schemeHeaders("github", secretFor("github"), body)), "X-Event-Type": "push" };
    const make = () => new Request("https://gateway.test/webhooks/signed", { method: "POST", headers, body });
    const first = await snapshot(await call(make(), env));
    const second = await snapshot(await call(make(), env));
    expect(first.status).toBe(202);
    expect(second).toEqual({ ...first, replay: "true" });
    expect(q.sent).toHaveLength(1);
  });

  it("still sees a replay when only an unsigned header (hmac-sha256-hex's X-Timestamp) changed", async () => {
    const q = recordingQueue();
    const secret = secretFor("hmac-sha256-hex");
    const env = envWith(configFor("hmac-sha256-hex"), { DELIVERY_QUEUE: q.queue, SIGNED_SECRET: secret });
    const body = new TextEncoder().encode(JSON.stringify({ n: crypto.randomUUID() }));
    const now = Math.floor(Date.now() / 1000);
    const send = async (ts: number) => {
      const headers = { ...(await schemeHeaders("hmac-sha256-hex", secret, body, { timestampS: ts })), "X-Event-Type": "push" };
      return call(new Request("https://gateway.test/webhooks/signed", { method: "POST", headers, body }), env);
    };
    expect((await send(now)).status).toBe(202);
    const replay = await send(now - 10);
    expect(replay.status).toBe(202);
    expect(replay.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(q.sent).toHaveLength(1);
  });
});

describe("a replayed signature under a fresh idempotency key", () => {
  const fresh = () => `fresh-${crypto.randomUUID()}`;

  it("answers a Standard Webhooks request replayed with a new X-Idempotency-Key as a duplicate", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    const original = await signedRequest("/webhooks/acme", event, { headers: { "X-Idempotency-Key": fresh() } });
    const replayed = new Request(original.clone(), { headers: new Headers(original.headers) });
    replayed.headers.set("X-Idempotency-Key", fresh());
    const first = await snapshot(await call(original, env));
    const second = await snapshot(await call(replayed, env));
    expect(first.status).toBe(202);
    expect(second).toEqual({ ...first, replay: "true" });
    expect(q.sent).toHaveLength(1);
  });

  it("answers an hmac-sha256-hex request replayed with a new key and a new X-Timestamp as a duplicate", async () => {
    const q = recordingQueue();
    const secret = secretFor("hmac-sha256-hex");
    const env = envWith(
      baseConfig({
        sources: { signed: { verify: { scheme: "hmac-sha256-hex", secrets: ["SIGNED_SECRET"] }, event_type_header: "X-Event-Type" } },
        routing_rules: [{ event_type: "push", mode: "async", endpoint: "profiles" }],
      }),
      { DELIVERY_QUEUE: q.queue, SIGNED_SECRET: secret },
    );
    const body = new TextEncoder().encode(JSON.stringify({ n: crypto.randomUUID() }));
    const send = async (key: string, ts: number) => {
      const headers = { ...(await schemeHeaders("hmac-sha256-hex", secret, body, { timestampS: ts })), "X-Event-Type": "push", "X-Idempotency-Key": key };
      return call(new Request("https://gateway.test/webhooks/signed", { method: "POST", headers, body }), env);
    };
    const now = Math.floor(Date.now() / 1000);
    expect((await send(fresh(), now)).status).toBe(202);
    const replay = await send(fresh(), now - 5);
    expect(replay.status).toBe(202);
    expect(replay.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(q.sent).toHaveLength(1);
  });

  it("accepts distinct signed requests with distinct keys", async () => {
    const q = recordingQueue();
    const env = envWith(baseConfig(), { DELIVERY_QUEUE: q.queue });
    for (let i = 0; i < 3; i++) {
      const res = await call(await signedRequest("/webhooks/acme", event, { headers: { "X-Idempotency-Key": fresh() } }), env);
      expect(res.headers.get("X-Idempotent-Replay")).toBeNull();
    }
    expect(q.sent).toHaveLength(3);
  });

  it("lets a replay under a new key through when the first attempt failed and gave its key back", async () => {
    const original = await signedRequest("/webhooks/acme", event, { headers: { "X-Idempotency-Key": fresh() } });
    const replayed = new Request(original.clone(), { headers: new Headers(original.headers) });
    replayed.headers.set("X-Idempotency-Key", fresh());
    await expectProblem(await call(original, envWith(baseConfig(), { DELIVERY_QUEUE: recordingQueue({ fail: true }).queue })), 503, "unavailable");
    const healthy = recordingQueue();
    const retry = await call(replayed, envWith(baseConfig(), { DELIVERY_QUEUE: healthy.queue }));
    expect(retry.status).toBe(202);
    expect(retry.headers.get("X-Idempotent-Replay")).toBeNull();
    expect(healthy.sent).toHaveLength(1);
  });
});

describe("failed hand-off", () => {
  it("answers 503 with Retry-After when the queue send throws, and releases the key for the retry", async () => {
    const broken = recordingQueue({ fail: true });
    const key = `retry-${crypto.randomUUID()}`;
    const res = await call(keyed(key, event), envWith(baseConfig(), { DELIVERY_QUEUE: broken.queue }));
    await expectProblem(res, 503, "unavailable");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);

    const healthy = recordingQueue();
    const retry = await call(keyed(key, event), envWith(baseConfig(), { DELIVERY_QUEUE: healthy.queue }));
    expect(retry.status).toBe(202);
    expect(retry.headers.get("X-Idempotent-Replay")).toBeNull();
    expect(healthy.sent).toHaveLength(1);
  });
});
