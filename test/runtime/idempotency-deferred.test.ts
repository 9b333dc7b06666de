// An async accept's stored answer rides on the isolate's next claim to the same shard instead of a call
// of its own, while other claims are in flight; it is stored at once when none is, and within DEFER_MS
// at the latest. Duplicates get that answer either way.
import { describe, expect, it } from "vitest";
import { idempotencyStore } from "../../src/adapters/idempotency-store";
import { DEFAULT_DEDUP_SHARDS, dedupShardsOf } from "../../src/core/dedup-shards";
import type { Env } from "../../src/env";
import type { ClaimRequest, StoredAnswer } from "../../src/ports/idempotency";
import { testEnv } from "./helpers";

/** The real namespace, recording each call to a shard (method and, for claims, how many answers rode on it). */
function recording(): { ns: Env["IDEMPOTENCY"]; calls: string[] } {
  const calls: string[] = [];
  const real = testEnv.IDEMPOTENCY;
  const ns = {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return new Proxy(stub, {
        get(target, prop: string) {
          if (typeof prop !== "string" || !["claim", "reserve", "own", "complete", "completeMany", "release", "alias", "repoint", "peek"].includes(prop))
            return Reflect.get(target, prop) as unknown;
          return (...args: unknown[]) => {
            const riders = (prop === "claim" || prop === "reserve") && Array.isArray(args[1]) ? `+${args[1].length}` : "";
            calls.push(`${prop}${riders}`);
            return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]?.(...args);
          };
        },
      });
    },
  };
  return { ns: ns as unknown as Env["IDEMPOTENCY"], calls };
}

const answer: StoredAnswer = { status: 202, headers: { "X-Message-Id": "m-1" }, body: '{"status":"queued"}', body_encoding: "utf8" };

/** Claims on one shard (the shard is picked from the key hash's first 8 hex digits). */
function claimOn(shardHex: string, key: string, over: Partial<ClaimRequest> = {}) {
  return { keyHash: `${shardHex}${"0".repeat(56)}`, key, bodyHash: "h", windowMs: 60_000, leaseMs: 10_000, waitMs: 0, ...over };
}

describe("deferred async answers", () => {
  it("ride on the next claim to the same shard while another claim is in flight", async () => {
    const { ns, calls } = recording();
    const store = idempotencyStore(ns);
    const shard = "0000a001";
    const held = claimOn(shard, `held-${crypto.randomUUID()}`);
    const first = claimOn(shard, `first-${crypto.randomUUID()}`);
    const next = claimOn(shard, `next-${crypto.randomUUID()}`);
    expect(await store.claim(held)).toEqual({ kind: "new" });
    expect(await store.claim(first)).toEqual({ kind: "new" });
    const stored = store.complete(first.keyHash, first.key, answer, true);
    expect(calls).toEqual(["claim", "claim"]);
    expect(await store.claim(next)).toEqual({ kind: "new" });
    await stored;
    expect(calls).toEqual(["claim", "claim", "claim+1"]);
    expect(await store.claim(first)).toEqual({ kind: "duplicate", answer });
    await store.release(held.keyHash, held.key);
    await store.release(next.keyHash, next.key);
  });

  it("a reserved key's row (its `own` after the send) rides on the next reservation to the shard the same way", async () => {
    const { ns, calls } = recording();
    const store = idempotencyStore(ns);
    const shard = "0000a003";
    const reserveOn = (key: string, owner: string) => ({ keyHash: `${shard}${"0".repeat(56)}`, key, bodyHash: "h", owner, leaseMs: 10_000, waitMs: 0 });
    const held = reserveOn(`held-${crypto.randomUUID()}`, "m-held");
    const first = reserveOn(`first-${crypto.randomUUID()}`, "m-1");
    const next = reserveOn(`next-${crypto.randomUUID()}`, "m-next");
    expect(await store.reserve(held)).toEqual({ kind: "new" });
    expect(await store.reserve(first)).toEqual({ kind: "new" });
    const stored = store.complete(first.keyHash, first.key, answer, true, { owner: "m-1", bodyHash: "h", windowMs: 60_000 });
    expect(await store.reserve(next)).toEqual({ kind: "new" });
    await stored;
    expect(calls).toEqual(["reserve", "reserve", "reserve+1"]);
    // Stored with its owner: a duplicate gets the answer, the owner's copy is delivered, another's dropped.
    expect(await store.reserve({ ...first, owner: "m-2" })).toEqual({ kind: "duplicate", answer });
    const check = { keyHash: first.keyHash, key: first.key, bodyHash: "h", answer, windowMs: 60_000 };
    expect(
      await store.checkOwners([
        { ...check, owner: "m-1" },
        { ...check, owner: "m-2" },
      ]),
    ).toEqual([{ kind: "deliver" }, { kind: "drop", owner: "m-1" }]);
    await store.unreserve(held.keyHash, held.key, "m-held");
    await store.unreserve(next.keyHash, next.key, "m-next");
  });

  it("are stored at once, in one call, when no other claim is in flight", async () => {
    const { ns, calls } = recording();
    const store = idempotencyStore(ns);
    const only = claimOn("0000a002", `only-${crypto.randomUUID()}`);
    expect(await store.claim(only)).toEqual({ kind: "new" });
    await store.complete(only.keyHash, only.key, answer, true);
    expect(calls).toEqual(["claim", "completeMany"]);
    expect(await store.claim(only)).toEqual({ kind: "duplicate", answer });
  });

  it("go on their own within DEFER_MS when no claim to their shard comes, and wake a waiting duplicate", async () => {
    const { ns, calls } = recording();
    const store = idempotencyStore(ns);
    const held = claimOn("0000a003", `held-${crypto.randomUUID()}`);
    const lone = claimOn("0000a004", `lone-${crypto.randomUUID()}`);
    await store.claim(held);
    await store.claim(lone);
    // A concurrent duplicate (as from another isolate) waits at the shard for the first answer.
    const duplicate = testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(dedupShardsOf(lone.keyHash, { shards: DEFAULT_DEDUP_SHARDS, previous: null }, 0).authority)).claim({
      ...claimOn("", lone.key),
      waitMs: 10_000,
    });
    await store.complete(lone.keyHash, lone.key, answer, true);
    expect(calls).toEqual(["claim", "claim", "completeMany"]);
    expect(await duplicate).toEqual({ kind: "duplicate", answer });
    await store.release(held.keyHash, held.key);
  });

  it("are stored at once when not deferrable (sync answers)", async () => {
    const { ns, calls } = recording();
    const store = idempotencyStore(ns);
    const held = claimOn("0000a005", `held-${crypto.randomUUID()}`);
    const sync = claimOn("0000a005", `sync-${crypto.randomUUID()}`);
    await store.claim(held);
    await store.claim(sync);
    await store.complete(sync.keyHash, sync.key, answer);
    expect(calls).toEqual(["claim", "claim", "complete"]);
    await store.release(held.keyHash, held.key);
  });
});
