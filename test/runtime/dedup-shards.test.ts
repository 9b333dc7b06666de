// Dedup shard count changes inside workerd: keys accepted under the old count stay duplicates during
// a re-shard (the old shard is the authority until `until`), keys accepted during it are mirrored so
// the new count alone finds them afterwards, and a switch without the procedure would miss keys.
import { describe, expect, it } from "vitest";
import { idempotencyStore } from "../../src/adapters/idempotency-store";
import { dedupShardsOf, type DedupSharding } from "../../src/core/dedup-shards";
import { baseConfig, call, envWith, recordingQueue, testEnv } from "./helpers";

const event = JSON.stringify({ type: "user.created", user_id: "u1" });
const FUTURE = new Date(Date.now() + 86_400_000).toISOString();

function keyed(key: string): Request {
  return new Request("https://gateway.test/webhooks/open/user.created", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Idempotency-Key": key },
    body: event,
  });
}

function gateway(dedup: Record<string, unknown> | undefined) {
  const q = recordingQueue();
  const e = envWith(baseConfig(dedup === undefined ? {} : { dedup }), { DELIVERY_QUEUE: q.queue });
  return { e, sent: q.sent };
}

async function replays(keys: readonly string[], e: ReturnType<typeof gateway>["e"]): Promise<number> {
  let n = 0;
  for (const key of keys) {
    const res = await call(keyed(key), e);
    expect(res.status).toBe(202);
    if (res.headers.get("X-Idempotent-Replay") === "true") n += 1;
  }
  return n;
}

const keys = (tag: string) => Array.from({ length: 12 }, (_, i) => `${tag}-${i}-${crypto.randomUUID()}`);

/** Idempotency keys of source `open` whose shard moves from 64 to 128 shards (half of all keys do). */
async function movingKeys(tag: string): Promise<string[]> {
  const out: string[] = [];
  while (out.length < 6) {
    const key = `${tag}-${crypto.randomUUID()}`;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`open:k:${key}`)));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    const none = { previous: null };
    if (dedupShardsOf(hex, { shards: 64, ...none }, 0).authority !== dedupShardsOf(hex, { shards: 128, ...none }, 0).authority) out.push(key);
  }
  return out;
}

describe("dedup shard count changes", () => {
  it("keeps every key a duplicate through 64 → 128 shards: before, during and after the change", async () => {
    const before = keys("before");
    const old = gateway(undefined);
    expect(await replays(before, old.e)).toBe(0);
    expect(old.sent).toHaveLength(12);

    const during = gateway({ shards: 128, previous_shards: 64, until: FUTURE });
    expect(await replays(before, during.e)).toBe(12); // found in the old shards, the authority
    expect(during.sent).toHaveLength(0);
    const accepted = keys("during");
    expect(await replays(accepted, during.e)).toBe(0);

    const after = gateway({ shards: 128 });
    expect(await replays(accepted, after.e)).toBe(12); // mirrored into the new shards while the change ran
    expect(after.sent).toHaveLength(0);
  });

  it("would let duplicates through if the count changed without the procedure (why `previous_shards` exists)", async () => {
    const accepted = await movingKeys("abrupt");
    await replays(accepted, gateway(undefined).e);
    const abrupt = gateway({ shards: 128 });
    expect(await replays(accepted, abrupt.e)).toBe(0);
    expect(abrupt.sent).toHaveLength(6); // every one accepted twice
  });

  it("claims in the old shard and mirrors into the new one; after `until` only the new one answers", async () => {
    let now = 1_000;
    const sharding: DedupSharding = { shards: 128, previous: { shards: 64, until: 2_000 } };
    const store = idempotencyStore(
      testEnv.IDEMPOTENCY,
      () => sharding,
      () => now,
    );
    // A key hash whose old and new shards differ: 0x45 = 69 → idem-5 (of 64) and idem-69 (of 128).
    const keyHash = `00000045${crypto.randomUUID().replaceAll("-", "")}`.padEnd(64, "0");
    const key = `mirror-${crypto.randomUUID()}`;
    expect(dedupShardsOf(keyHash, sharding, now)).toEqual({ authority: "idem-5", mirror: "idem-69" });
    const req = { keyHash, key, bodyHash: "b", windowMs: 60_000, leaseMs: 10_000, waitMs: 0 };
    expect((await store.claim(req)).kind).toBe("new");
    await store.complete(keyHash, key, { status: 202, headers: {}, body: "{}", body_encoding: "utf8" });
    const shard = (name: string) => testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(name));
    expect((await shard("idem-5").peek(key)).kind).toBe("done");
    expect((await shard("idem-69").peek(key)).kind).toBe("done");
    now = 2_000;
    expect((await store.claim(req)).kind).toBe("duplicate");
  });

  it("a key the consumer takes for an orphaned copy during the change reaches the new shard too", async () => {
    let now = 1_000;
    const sharding: DedupSharding = { shards: 128, previous: { shards: 64, until: 2_000 } };
    const store = idempotencyStore(
      testEnv.IDEMPOTENCY,
      () => sharding,
      () => now,
    );
    const keyHash = `00000045${crypto.randomUUID().replaceAll("-", "")}`.padEnd(64, "0");
    const key = `orphan-${crypto.randomUUID()}`;
    const answer = { status: 202, headers: { "X-Message-Id": "m-1" }, body: "{}", body_encoding: "utf8" as const };
    const check = { keyHash, key, bodyHash: "b", answer, windowMs: 60_000 };
    expect(await store.checkOwners([{ ...check, owner: "m-1" }])).toEqual([{ kind: "deliver" }]);
    const shard = (name: string) => testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(name));
    expect((await shard("idem-69").peek(key)).kind).toBe("done");
    now = 2_000;
    // After the change only the new shard answers: the producer's retry gets the copy's 202.
    expect(await store.reserve({ keyHash, key, bodyHash: "b", owner: "m-2", leaseMs: 10_000, waitMs: 0 })).toEqual({ kind: "duplicate", answer });
    expect(await store.checkOwners([{ ...check, owner: "m-2" }])).toEqual([{ kind: "drop", owner: "m-1" }]);
  });
});
