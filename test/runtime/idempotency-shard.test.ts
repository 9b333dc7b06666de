// The dedup shard's storage: a new key writes one row (a WITHOUT ROWID bucket table, no index),
// a bucket whose windows have all ended is dropped whole (no row written per key), one purge alarm
// per shard (not one per key), keys of earlier versions still answer and drain, and a claimer that
// died holding a key (between claim and hand-off) leaves it re-claimable once its lease is over.
import { describe, expect, it } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { PURGE_INTERVAL_MS, type IdempotencyShard } from "../../src/objects/idempotency-shard";
import { KeyTables, LEGACY_TABLE } from "../../src/objects/dedup-key-tables";
import { bucketEnd, keyTableName, MIN_BUCKET_MS } from "../../src/core/dedup-buckets";
import type { ClaimRequest } from "../../src/ports/idempotency";
import { testEnv } from "./helpers";
import { countingSql } from "./sql-count";

const HOUR = 3_600_000;

function freshShard() {
  return testEnv.IDEMPOTENCY.get(testEnv.IDEMPOTENCY.idFromName(`test-shard-${crypto.randomUUID()}`));
}

function claimOf(key: string, over: Partial<ClaimRequest> = {}): ClaimRequest {
  return { key, bodyHash: "h1", windowMs: HOUR, leaseMs: 10_000, waitMs: 0, ...over };
}

const tableNames = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'keys%' ORDER BY name")
    .toArray()
    .map((r) => r.name);

describe("idempotency shard storage", () => {
  it("writes one row per new key, one per answer, one per send-first key with its answer, and none to drop a bucket of expired keys", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("warm"));
    const rows = await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      const { sql, written } = countingSql(state.storage.sql);
      const keys = new KeyTables(sql);
      const now = Date.now();
      keys.claim("k1", "h", now + 10_000, now + HOUR, HOUR, now);
      const claim = written();
      keys.complete("k1", "{}", now);
      const complete = written() - claim;
      const beforeOwn = written();
      keys.own("k2", "h", "msg_owner", "{}", now + HOUR, HOUR, now);
      const own = written() - beforeOwn;
      // A bucket that ended: its keys' windows are all over.
      const ended = bucketEnd(now - 2 * MIN_BUCKET_MS, HOUR);
      sql.exec(
        `CREATE TABLE ${keyTableName(ended)} (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL, answer TEXT, lease_until INTEGER NOT NULL, expires_at INTEGER NOT NULL, owner TEXT) WITHOUT ROWID`,
      );
      for (let i = 0; i < 50; i++) sql.exec(`INSERT INTO ${keyTableName(ended)} VALUES (?, 'h', 'done', '{}', 0, ?, NULL)`, `old-${i}`, ended - 1);
      const before = written();
      const fresh = new KeyTables(sql);
      const next = fresh.dropEnded(now);
      return {
        claim,
        complete,
        own,
        drop: written() - before,
        next,
        left: tableNames(state.storage.sql),
        ddl: state.storage.sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name LIKE 'keys_%'").toArray(),
      };
    });
    expect(rows.claim).toBe(1);
    expect(rows.complete).toBe(1);
    expect(rows.own).toBe(1);
    expect(rows.drop).toBe(0);
    expect(rows.left).toEqual([keyTableName(bucketEnd(Date.now() + HOUR, HOUR))]);
    expect(rows.next).toBe(bucketEnd(Date.now() + HOUR, HOUR));
    expect(rows.ddl.every((t) => t.sql.includes("WITHOUT ROWID"))).toBe(true);
  });

  it("keeps no index on its tables beyond each primary key", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("k1"));
    await shard.alias("sig-1", "k1", HOUR);
    const indexes = await runInDurableObject(shard, (_i: IdempotencyShard, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'").toArray(),
    );
    expect(indexes.every((i) => i.name.startsWith("sqlite_autoindex_aliases"))).toBe(true);
  });

  it("arms one purge alarm for the shard, not one per key, at the end of the first bucket", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("a"));
    const first = await runInDurableObject(shard, (_i: IdempotencyShard, state) => state.storage.getAlarm());
    expect(first).toBe(bucketEnd(Date.now() + HOUR, HOUR));
    await shard.claim(claimOf("b"));
    await shard.alias("sig-1", "a", HOUR);
    expect(await runInDurableObject(shard, (_i: IdempotencyShard, state) => state.storage.getAlarm())).toBe(first);
  });

  it("drops ended buckets, purges expired aliases, keeps live keys, and re-arms while rows are left", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("live"));
    await shard.alias("sig-live", "live", HOUR);
    await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      state.storage.sql.exec("INSERT INTO aliases (alias, owner, expires_at) VALUES ('sig-old', 'old-0', 1)");
    });
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    const left = await runInDurableObject(shard, (_i: IdempotencyShard, state) => ({
      tables: tableNames(state.storage.sql),
      aliases: state.storage.sql
        .exec<{ alias: string }>("SELECT alias FROM aliases")
        .toArray()
        .map((r) => r.alias),
      alarm: state.storage.getAlarm(),
    }));
    expect(left.tables).toEqual([keyTableName(bucketEnd(Date.now() + HOUR, HOUR))]);
    expect(left.aliases).toEqual(["sig-live"]);
    expect((await left.alarm) ?? 0).toBeGreaterThan(Date.now() + HOUR - PURGE_INTERVAL_MS);
    expect(await shard.claim(claimOf("live"))).toEqual({ kind: "busy" });
  });

  it("answers from the single keys table of earlier versions, drains it, then drops it", async () => {
    const shard = freshShard();
    const answer = { status: 202, headers: {}, body: "{}", body_encoding: "utf8" as const };
    const legacy = `CREATE TABLE ${LEGACY_TABLE} (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL, answer TEXT, lease_until INTEGER NOT NULL, expires_at INTEGER NOT NULL)`;
    await runInDurableObject(shard, (instance: IdempotencyShard, state) => {
      const sql = state.storage.sql;
      sql.exec(legacy);
      sql.exec(`INSERT INTO ${LEGACY_TABLE} VALUES ('old-live', 'h1', 'done', ?, 0, ?)`, JSON.stringify(answer), Date.now() + HOUR);
      sql.exec(`INSERT INTO ${LEGACY_TABLE} VALUES ('old-gone', 'h1', 'done', '{}', 0, 1)`);
      // As an instance started on storage an earlier version wrote.
      Reflect.set(instance, "keys", new KeyTables(sql));
    });
    expect(await shard.claim(claimOf("old-live"))).toEqual({ kind: "duplicate", answer });
    expect(await shard.claim(claimOf("old-gone"))).toEqual({ kind: "new" });
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    const afterFirst = await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      const keys = state.storage.sql.exec<{ key: string }>(`SELECT key FROM ${LEGACY_TABLE}`).toArray();
      state.storage.sql.exec(`UPDATE ${LEGACY_TABLE} SET expires_at = 1`);
      return keys.map((k) => k.key);
    });
    expect(afterFirst).toEqual(["old-live"]);
    await runInDurableObject(shard, (instance: IdempotencyShard) => instance.alarm());
    expect(await runInDurableObject(shard, (_i: IdempotencyShard, state) => tableNames(state.storage.sql).includes(LEGACY_TABLE))).toBe(false);
    expect(await shard.claim(claimOf("old-gone"))).toEqual({ kind: "busy" });
  });

  it("treats an expired row that is not purged yet as absent: a new claim takes the key", async () => {
    const shard = freshShard();
    await shard.claim(claimOf("warm"));
    await runInDurableObject(shard, (_i: IdempotencyShard, state) => {
      const [table] = tableNames(state.storage.sql);
      state.storage.sql.exec(`INSERT INTO ${table ?? "missing"} (key, body_hash, state, answer, lease_until, expires_at) VALUES ('k', 'other', 'done', '{}', 0, 1)`);
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
