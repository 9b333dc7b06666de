// The dedup shard's storage: a new key writes its row and primary-key entry only (no expiry index),
// one purge alarm per shard (not one per key), expired rows purged oldest first, and a claimer that
// died holding a key (between claim and hand-off) leaves it re-claimable once its lease is over.
import { describe, expect, it } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { PURGE_INTERVAL_MS, type IdempotencyShard } from "../../src/objects/idempotency-shard";
import type { ClaimRequest } from "../../src/ports/idempotency";
import { testEnv } from "./helpers";

const HOUR = 3_600_000;

function freshShard() {
  return testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(`test-shard-${crypto.randomUUID()}`));
}

function claimOf(key: string, over: Partial<ClaimRequest> = {}): ClaimRequest {
  return { key, bodyHash: "h1", windowMs: HOUR, leaseMs: 10_000, waitMs: 0, ...over };
}

describe("idempotency shard storage", () => {
  it("keeps no index beyond each table's primary key", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("k1"));
    const indexes = await runInDurableObject(shard, (_i: IdempotencyShard, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('keys', 'aliases')").toArray(),
    );
    expect(indexes.every((i) => i.name.startsWith("sqlite_autoindex_"))).toBe(true);
  });

  it("arms one purge alarm for the shard, not one per key, at least a purge interval ahead", async () => {
    const shard = freshShard();
    const before = Date.now();
    await shard.claim(claimOf("a", { windowMs: 1000 }));
    const first = await runInDurableObject(shard, (_i: IdempotencyShard, state) => state.storage.getAlarm());
    expect(first).not.toBeNull();
    expect(first ?? 0).toBeGreaterThanOrEqual(before + PURGE_INTERVAL_MS);
    await shard.claim(claimOf("b", { windowMs: 1000 }));
    await shard.alias("sig-1", "a", 1000);
    expect(await runInDurableObject(shard, (_i: IdempotencyShard, state) => state.storage.getAlarm())).toBe(first);
  });

  it("purges expired keys and aliases oldest first, keeps live ones, and re-arms while rows are left", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("live"));
    await shard.alias("sig-live", "live", HOUR);
    // Rows whose window has passed (written directly: the shard's clock is the real one).
    await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      for (let i = 0; i < 3; i++)
        state.storage.sql.exec("INSERT INTO keys (key, body_hash, state, answer, lease_until, expires_at) VALUES (?, 'h', 'done', '{}', 0, 1)", `old-${i}`);
      state.storage.sql.exec("INSERT INTO aliases (alias, owner, expires_at) VALUES ('sig-old', 'old-0', 1)");
    });
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    const left = await runInDurableObject(shard, (_i: IdempotencyShard, state) => ({
      keys: state.storage.sql
        .exec<{ key: string }>("SELECT key FROM keys ORDER BY rowid")
        .toArray()
        .map((r) => r.key),
      aliases: state.storage.sql
        .exec<{ alias: string }>("SELECT alias FROM aliases")
        .toArray()
        .map((r) => r.alias),
    }));
    expect(left).toEqual({ keys: ["live"], aliases: ["sig-live"] });
    const next = await runInDurableObject(shard, (_i: IdempotencyShard, state) => state.storage.getAlarm());
    expect(next ?? 0).toBeGreaterThan(Date.now() + HOUR - PURGE_INTERVAL_MS);
  });

  it("treats an expired row that is not purged yet as absent: a new claim replaces it", async () => {
    const shard = freshShard();
    await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      state.storage.sql.exec("INSERT INTO keys (key, body_hash, state, answer, lease_until, expires_at) VALUES ('k', 'other', 'done', '{}', 0, 1)");
    });
    expect(await shard.claim(claimOf("k"))).toEqual({ kind: "new" });
    expect(await shard.claim(claimOf("k"))).toEqual({ kind: "busy" });
  });

  it("leaves a key whose claimer never answered (died between claim and hand-off) re-claimable once the lease is over", async () => {
    const shard = freshShard();
    expect(await shard.claim(claimOf("crashed", { leaseMs: 0 }))).toEqual({ kind: "new" });
    // No complete, no release: the next claim takes the key over, with the same body.
    expect(await shard.claim(claimOf("crashed"))).toEqual({ kind: "new" });
    // While that lease runs, a duplicate is told to retry; a different body is a conflict.
    expect(await shard.claim(claimOf("crashed"))).toEqual({ kind: "busy" });
    expect(await shard.claim(claimOf("crashed", { bodyHash: "h2" }))).toEqual({ kind: "conflict" });
  });

  it("answers every concurrent duplicate with the first answer once it is stored", async () => {
    const shard = freshShard();
    expect(await shard.claim(claimOf("burst"))).toEqual({ kind: "new" });
    const waiting = Promise.all(Array.from({ length: 10 }, () => shard.claim(claimOf("burst", { waitMs: 10_000 }))));
    const answer = { status: 202, headers: { "X-Message-Id": "m1" }, body: "{}", body_encoding: "utf8" as const };
    await shard.complete("burst", answer);
    expect(await waiting).toEqual(Array(10).fill({ kind: "duplicate", answer }));
  });
});
