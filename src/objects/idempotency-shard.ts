// Durable Object: one shard of the dedup store (keys spread over shards by hash). A key is
// claimed atomically, then completed with the first answer; concurrent duplicates wait for it.
// Aliases map an accepted signature to its key, so a replay under a fresh key is still a duplicate.
import { DurableObject } from "cloudflare:workers";
import type { AliasResult, ClaimRequest, ClaimResult, IdempotencyShardRpc, PeekResult, SettledKey, StoredAnswer } from "../ports/idempotency";

interface Row {
  body_hash: string;
  state: string;
  answer: string | null;
  lease_until: number;
  expires_at: number;
  [key: string]: SqlStorageValue;
}

/** Rows looked at per purge statement (the oldest by insertion order), and statements per alarm. */
const PURGE_BATCH = 500;
const PURGE_BATCHES_PER_ALARM = 20;
/** The purge alarm never fires more often than this while keys are live (one alarm per shard, not per key). */
export const PURGE_INTERVAL_MS = 60_000;

/**
 * Storage: `keys` and `aliases` are rowid tables keyed by their text primary key, with no other
 * index: a new key writes its row and its primary-key entry, nothing else. Rows are purged oldest
 * first by rowid (insertion order: a re-claimed expired key is replaced, so it moves to the end);
 * a row whose window is longer than a later row's only delays that later row's purge, never a
 * lookup, which always checks `expires_at`.
 */
export class IdempotencyShard extends DurableObject<unknown> implements IdempotencyShardRpc {
  private readonly sql: SqlStorage;
  private readonly waiters = new Map<string, Array<() => void>>();
  /** The armed purge alarm as this instance last saw or set it (undefined: not read yet). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS keys (
      key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL, answer TEXT,
      lease_until INTEGER NOT NULL, expires_at INTEGER NOT NULL)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)");
    // Earlier versions kept an expiry index per table: one more row written per claim, for the purge only.
    this.sql.exec("DROP INDEX IF EXISTS keys_expires");
    this.sql.exec("DROP INDEX IF EXISTS aliases_expires");
  }

  async claim(req: ClaimRequest, settled?: readonly SettledKey[]): Promise<ClaimResult> {
    if (settled !== undefined) this.completeMany(settled);
    const deadline = Date.now() + req.waitMs;
    for (;;) {
      const now = Date.now();
      // The common case in one statement: the key is new.
      const inserted = this.sql
        .exec(
          "INSERT INTO keys (key, body_hash, state, answer, lease_until, expires_at) VALUES (?, ?, 'pending', NULL, ?, ?) ON CONFLICT DO NOTHING RETURNING 1 AS n",
          req.key,
          req.bodyHash,
          now + req.leaseMs,
          now + req.windowMs,
        )
        .toArray();
      if (inserted.length === 1) return this.claimed(now + req.windowMs);
      const row = this.read(req.key);
      if (row === undefined || row.expires_at <= now) {
        // Expired but not purged yet: replaced, so it takes a new rowid at the end of the purge order.
        this.sql.exec(
          "INSERT OR REPLACE INTO keys (key, body_hash, state, answer, lease_until, expires_at) VALUES (?, ?, 'pending', NULL, ?, ?)",
          req.key,
          req.bodyHash,
          now + req.leaseMs,
          now + req.windowMs,
        );
        return this.claimed(now + req.windowMs);
      }
      if (row.body_hash !== req.bodyHash) return { kind: "conflict" };
      if (row.state === "done" && row.answer !== null) return { kind: "duplicate", answer: JSON.parse(row.answer) as StoredAnswer };
      if (row.lease_until <= now) {
        this.sql.exec("UPDATE keys SET lease_until = ? WHERE key = ?", now + req.leaseMs, req.key);
        return { kind: "new" };
      }
      const remaining = Math.min(deadline, row.lease_until) - now;
      if (remaining <= 0) return { kind: "busy" };
      await this.waitFor(req.key, remaining);
    }
  }

  /**
   * Records that a signature was accepted under `owner` (an idempotency key the signature does not
   * cover), or tells which key it was accepted under before: a replay with a fresh key.
   */
  async alias(alias: string, owner: string, windowMs: number): Promise<AliasResult> {
    const now = Date.now();
    const row = this.sql.exec<{ owner: string; expires_at: number }>("SELECT owner, expires_at FROM aliases WHERE alias = ?", alias).toArray()[0];
    if (row !== undefined && row.expires_at > now) return row.owner === owner ? { kind: "new" } : { kind: "seen", owner: row.owner };
    this.sql.exec("INSERT OR REPLACE INTO aliases (alias, owner, expires_at) VALUES (?, ?, ?)", alias, owner, now + windowMs);
    await this.ensureAlarm(now + windowMs);
    return { kind: "new" };
  }

  /** Points an alias at a new owner (its first owner gave its key back without an answer). */
  async repoint(alias: string, owner: string, windowMs: number): Promise<void> {
    const now = Date.now();
    this.sql.exec("INSERT OR REPLACE INTO aliases (alias, owner, expires_at) VALUES (?, ?, ?)", alias, owner, now + windowMs);
    await this.ensureAlarm(now + windowMs);
  }

  /** The state of a key without claiming it. */
  peek(key: string): PeekResult {
    const row = this.read(key);
    if (row === undefined || row.expires_at <= Date.now()) return { kind: "absent" };
    if (row.state === "done" && row.answer !== null) return { kind: "done", answer: JSON.parse(row.answer) as StoredAnswer };
    return row.lease_until > Date.now() ? { kind: "pending" } : { kind: "absent" };
  }

  complete(key: string, answer: StoredAnswer): void {
    this.sql.exec("UPDATE keys SET state = 'done', answer = ? WHERE key = ?", JSON.stringify(answer), key);
    this.wake(key);
  }

  completeMany(settled: readonly SettledKey[]): void {
    for (const s of settled) this.complete(s.key, s.answer);
  }

  /** Gives a claimed key back (the first request failed before it had an answer worth keeping). */
  release(key: string): void {
    this.sql.exec("DELETE FROM keys WHERE key = ? AND state = 'pending'", key);
    this.wake(key);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let full = false;
    for (const table of ["keys", "aliases"] as const) {
      for (let i = 0; i < PURGE_BATCHES_PER_ALARM; i++) {
        // The oldest rows by insertion order; those past their window go.
        const deleted = this.sql
          .exec(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY rowid LIMIT ?) AND expires_at <= ? RETURNING 1 AS n`, PURGE_BATCH, now)
          .toArray().length;
        if (deleted < PURGE_BATCH) break;
        if (i === PURGE_BATCHES_PER_ALARM - 1) full = true;
      }
    }
    const next = this.sql
      .exec<{ next: number | null }>(
        `SELECT MIN(expires_at) AS next FROM (SELECT expires_at FROM (SELECT expires_at FROM keys ORDER BY rowid LIMIT ${PURGE_BATCH})
         UNION ALL SELECT expires_at FROM (SELECT expires_at FROM aliases ORDER BY rowid LIMIT ${PURGE_BATCH}))`,
      )
      .one().next;
    this.alarmAt = null;
    if (next !== null) await this.armAlarm(full ? now + 1000 : Math.max(next, now + PURGE_INTERVAL_MS));
  }

  private async claimed(expiresAt: number): Promise<ClaimResult> {
    await this.ensureAlarm(expiresAt);
    return { kind: "new" };
  }

  private read(key: string): Row | undefined {
    return this.sql.exec<Row>("SELECT body_hash, state, answer, lease_until, expires_at FROM keys WHERE key = ?", key).toArray()[0];
  }

  /** A purge alarm at or before `at`, or any armed one: it re-arms itself while rows are left. */
  private async ensureAlarm(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null) await this.armAlarm(Math.max(at, Date.now() + PURGE_INTERVAL_MS));
  }

  private async armAlarm(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private waitFor(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      list.push(done);
      this.waiters.set(key, list);
    });
  }

  private wake(key: string): void {
    const list = this.waiters.get(key);
    if (list === undefined) return;
    this.waiters.delete(key);
    for (const resolve of list) resolve();
  }
}
