// Durable Object: one shard of the dedup store (keys spread over 64 shards by hash). A key is
// claimed atomically, then completed with the first answer; concurrent duplicates wait for it.
// Aliases map an accepted signature to its key, so a replay under a fresh key is still a duplicate.
import { DurableObject } from "cloudflare:workers";
import type { AliasResult, ClaimRequest, ClaimResult, IdempotencyShardRpc, PeekResult, StoredAnswer } from "../ports/idempotency";

interface Row {
  body_hash: string;
  state: string;
  answer: string | null;
  lease_until: number;
  expires_at: number;
  [key: string]: SqlStorageValue;
}

const PURGE_BATCH = 500;

export class IdempotencyShard extends DurableObject<unknown> implements IdempotencyShardRpc {
  private readonly sql: SqlStorage;
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS keys (
      key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL, answer TEXT,
      lease_until INTEGER NOT NULL, expires_at INTEGER NOT NULL)`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS keys_expires ON keys(expires_at)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS aliases_expires ON aliases(expires_at)");
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const deadline = Date.now() + req.waitMs;
    for (;;) {
      const now = Date.now();
      const row = this.read(req.key);
      if (row === undefined || row.expires_at <= now) {
        this.sql.exec(
          "INSERT OR REPLACE INTO keys (key, body_hash, state, answer, lease_until, expires_at) VALUES (?, ?, 'pending', NULL, ?, ?)",
          req.key,
          req.bodyHash,
          now + req.leaseMs,
          now + req.windowMs,
        );
        await this.ensureAlarm(now + req.windowMs);
        return { kind: "new" };
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

  /** Gives a claimed key back (the first request failed before it had an answer worth keeping). */
  release(key: string): void {
    this.sql.exec("DELETE FROM keys WHERE key = ? AND state = 'pending'", key);
    this.wake(key);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM keys WHERE key IN (SELECT key FROM keys WHERE expires_at <= ? LIMIT ?)", now, PURGE_BATCH);
    this.sql.exec("DELETE FROM aliases WHERE alias IN (SELECT alias FROM aliases WHERE expires_at <= ? LIMIT ?)", now, PURGE_BATCH);
    const next = this.sql
      .exec<{ next: number | null }>("SELECT MIN(n) AS next FROM (SELECT MIN(expires_at) AS n FROM keys UNION ALL SELECT MIN(expires_at) AS n FROM aliases)")
      .one().next;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + 1000));
  }

  private read(key: string): Row | undefined {
    return this.sql.exec<Row>("SELECT body_hash, state, answer, lease_until, expires_at FROM keys WHERE key = ?", key).toArray()[0];
  }

  private async ensureAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
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
