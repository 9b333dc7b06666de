// Durable Object: one shard of the dedup store (keys spread over shards by hash). A key is
// claimed atomically, then completed with the first answer; concurrent duplicates wait for it.
// Aliases map an accepted signature to its key, so a replay under a fresh key is still a duplicate.
// Queued async accepts reserve the key in memory, send, then `own` it with their answer in one row;
// the consumer's `checkOwners` drops any copy whose request did not get it (docs/dedup.md).
import { DurableObject } from "cloudflare:workers";
import type {
  AliasResult,
  ClaimRequest,
  ClaimResult,
  IdempotencyShardRpc,
  OwnerCheck,
  OwnerVerdict,
  OwnRequest,
  OwnResult,
  PeekResult,
  ReserveRequest,
  SettledKey,
  StoredAnswer,
} from "../ports/idempotency";
import { KeyTables, LEGACY_TABLE, type KeyRow } from "./dedup-key-tables";

/** Rows looked at per purge statement (the oldest by insertion order), and statements per alarm. */
const PURGE_BATCH = 500;
const PURGE_BATCHES_PER_ALARM = 20;
/** The purge alarm never fires more often than this while rows are live (one alarm per shard, not per key). */
export const PURGE_INTERVAL_MS = 60_000;
/** Above this many reservations, a new one first sweeps out those whose lease is over. */
const RESERVATION_SWEEP_AT = 10_000;

interface Reservation {
  owner: string;
  bodyHash: string;
  until: number;
}

/**
 * Storage: keys in WITHOUT ROWID tables by bucket of window end (objects/dedup-key-tables): a new
 * key writes one row, and a bucket whose windows have all ended is dropped whole by the alarm,
 * writing no row per key. `aliases` is a rowid table keyed by its text primary key, purged oldest
 * first by rowid; a row whose window is longer than a later row's only delays that later row's
 * purge, never a lookup, which always checks `expires_at`.
 */
export class IdempotencyShard extends DurableObject<unknown> implements IdempotencyShardRpc {
  private readonly sql: SqlStorage;
  private readonly keys: KeyTables;
  private readonly waiters = new Map<string, Array<() => void>>();
  /**
   * Keys held for an owner between its reservation and its `own` (or `unreserve`): memory only, so a
   * reservation costs no row. If the object restarts meanwhile, a concurrent duplicate may be
   * enqueued; the consumer's owner check still delivers one copy.
   */
  private readonly reserved = new Map<string, Reservation>();
  private sweptAt = 0;
  /** The armed purge alarm as this instance last saw or set it (undefined: not read yet). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)");
    // Earlier versions kept an expiry index per table: one more row written per claim, for the purge only.
    this.sql.exec("DROP INDEX IF EXISTS keys_expires");
    this.sql.exec("DROP INDEX IF EXISTS aliases_expires");
    this.keys = new KeyTables(this.sql);
  }

  async claim(req: ClaimRequest, settled?: readonly SettledKey[]): Promise<ClaimResult> {
    if (settled !== undefined) await this.completeMany(settled);
    return this.until(req.key, req.waitMs, async (now) => {
      const held = this.liveReservation(req.key, now);
      if (held !== undefined) return held.bodyHash !== req.bodyHash ? { kind: "conflict" } : held.until;
      // A new key (or an expired one not purged yet): one row in its bucket's table.
      const claimed = this.keys.claim(req.key, req.bodyHash, now + req.leaseMs, now + req.windowMs, req.windowMs, now);
      if ("created" in claimed) {
        if (claimed.created !== null) await this.ensureAlarm(claimed.created);
        return { kind: "new" };
      }
      const { row } = claimed.found;
      if (row.body_hash !== req.bodyHash) return { kind: "conflict" };
      if (row.state === "done" && row.answer !== null) return { kind: "duplicate", answer: JSON.parse(row.answer) as StoredAnswer };
      if (row.lease_until > now) return row.lease_until;
      this.keys.setLease(claimed.found, req.key, now + req.leaseMs);
      return { kind: "new" };
    });
  }

  /**
   * Holds a key for `owner` while it sends (no row written): `new`; or the key's stored answer
   * (duplicate), a conflict (another body), or busy after waiting `waitMs` for a holder to answer.
   */
  async reserve(req: ReserveRequest, settled?: readonly SettledKey[]): Promise<ClaimResult> {
    if (settled !== undefined) await this.completeMany(settled);
    return this.until(req.key, req.waitMs, (now) => {
      const row = this.keys.find(req.key, now)?.row;
      if (row !== undefined && row.body_hash !== req.bodyHash) return { kind: "conflict" };
      if (row?.state === "done" && row.answer !== null) return { kind: "duplicate", answer: JSON.parse(row.answer) as StoredAnswer };
      if (row !== undefined && row.lease_until > now) return row.lease_until;
      const held = this.liveReservation(req.key, now);
      if (held !== undefined) return held.bodyHash !== req.bodyHash ? { kind: "conflict" } : held.until;
      if (this.reserved.size >= RESERVATION_SWEEP_AT && now - this.sweptAt >= 1000) {
        // At most once a second: with many live reservations a sweep per call would cost O(n) each.
        this.sweptAt = now;
        for (const [key, r] of this.reserved) if (r.until <= now) this.reserved.delete(key);
      }
      this.reserved.set(req.key, { owner: req.owner, bodyHash: req.bodyHash, until: now + req.leaseMs });
      return { kind: "new" };
    });
  }

  /** Gives a reservation back (its owner's send failed): a waiting duplicate goes on. */
  unreserve(key: string, owner: string): void {
    if (this.reserved.get(key)?.owner !== owner) return;
    this.reserved.delete(key);
    this.wake(key);
  }

  /**
   * After the send: the key becomes `owner`'s with its answer (one row), unless another request has
   * it: its stored answer (a duplicate), a conflict, or busy while another holder keeps it past
   * `waitMs`. Owning again what the owner (or the consumer, for it) already owns is `own`. Ends the
   * owner's reservation either way, and wakes the duplicates waiting on it.
   */
  async own(req: OwnRequest): Promise<OwnResult> {
    try {
      return await this.until<OwnResult>(req.key, req.waitMs, async (now) => {
        const step = await this.take(req, now);
        if (typeof step === "number" || step === "own") return step === "own" ? { kind: "own" } : step;
        if (step.body_hash !== req.bodyHash) return { kind: "conflict" };
        return { kind: "duplicate", answer: JSON.parse(step.answer ?? "null") as StoredAnswer };
      });
    } finally {
      if (this.reserved.get(req.key)?.owner === req.owner) this.reserved.delete(req.key);
      this.wake(req.key);
    }
  }

  /**
   * For messages sent before their key was owned: deliver when the key is the message's owner's
   * (taking it for the owner when it is free), drop when another request has it for good, wait while
   * another request holds it (a reservation, or a claim-first lease).
   */
  async checkOwners(checks: readonly OwnerCheck[]): Promise<OwnerVerdict[]> {
    const verdicts: OwnerVerdict[] = [];
    for (const c of checks) {
      const now = Date.now();
      const step = await this.take(c, now);
      verdicts.push(step === "own" ? { kind: "deliver" } : typeof step === "number" ? { kind: "wait", retryMs: step - now } : { kind: "drop", owner: step.owner });
    }
    return verdicts;
  }

  /**
   * One look at a key for `owner`: "own" (it is the owner's now: taken when free, or when a
   * claim-first holder's lease ran out), the `done` row of another request, or until when another
   * request holds it.
   */
  private async take(c: OwnerCheck, now: number): Promise<"own" | KeyRow | number> {
    const held = this.liveReservation(c.key, now);
    if (held !== undefined && held.owner !== c.owner && this.keys.find(c.key, now) === undefined) return held.until;
    const answer = JSON.stringify(c.answer);
    const taken = this.keys.own(c.key, c.bodyHash, c.owner, answer, now + c.windowMs, c.windowMs, now);
    if ("created" in taken) {
      if (taken.created !== null) await this.ensureAlarm(taken.created);
    } else {
      const { row } = taken.found;
      if (row.owner === c.owner) return "own";
      if (row.state === "done") return row;
      if (row.lease_until > now) return row.lease_until;
      this.keys.takeOver(taken.found, c.key, c.owner, answer);
    }
    this.wake(c.key);
    return "own";
  }

  /** Runs `step` until it decides; a number is "held until then": wait for a wake-up, at most `waitMs` in all, then busy. */
  private async until<R>(key: string, waitMs: number, step: (now: number) => R | number | Promise<R | number>): Promise<R | { kind: "busy" }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const decided = await step(now);
      if (typeof decided !== "number") return decided;
      const remaining = Math.min(deadline, decided) - now;
      if (remaining <= 0) return { kind: "busy" };
      await this.waitFor(key, remaining);
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
    const now = Date.now();
    const row = this.keys.find(key, now)?.row;
    if (row === undefined) return { kind: "absent" };
    if (row.state === "done" && row.answer !== null) return { kind: "done", answer: JSON.parse(row.answer) as StoredAnswer };
    return row.lease_until > now ? { kind: "pending" } : { kind: "absent" };
  }

  complete(key: string, answer: StoredAnswer): void {
    this.keys.complete(key, JSON.stringify(answer), Date.now());
    this.wake(key);
  }

  /** Answers (and reserved keys' `own`s) that rode on another call, or came in one call per shard. */
  async completeMany(settled: readonly SettledKey[]): Promise<void> {
    for (const s of settled) {
      if (s.own === undefined) this.complete(s.key, s.answer);
      else await this.own({ key: s.key, answer: s.answer, ...s.own, waitMs: 0 });
    }
  }

  /** Gives a claimed key back (the first request failed before it had an answer worth keeping). */
  release(key: string): void {
    this.keys.release(key, Date.now());
    this.wake(key);
  }

  /** Drops the key tables whose bucket has ended, purges expired aliases (and keys of earlier versions). */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let next = this.keys.dropEnded(now);
    const tables = this.keys.hasLegacy() ? [LEGACY_TABLE, "aliases"] : ["aliases"];
    let full = false;
    for (const table of tables) {
      for (let i = 0; i < PURGE_BATCHES_PER_ALARM; i++) {
        // The oldest rows by insertion order; those past their window go.
        const deleted = this.sql
          .exec(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY rowid LIMIT ?) AND expires_at <= ? RETURNING 1 AS n`, PURGE_BATCH, now)
          .toArray().length;
        if (deleted < PURGE_BATCH) break;
        if (i === PURGE_BATCHES_PER_ALARM - 1) full = true;
      }
      const oldest = this.sql.exec<{ next: number | null }>(`SELECT MIN(expires_at) AS next FROM (SELECT expires_at FROM ${table} ORDER BY rowid LIMIT ${PURGE_BATCH})`).one().next;
      if (oldest === null && table === LEGACY_TABLE) this.keys.dropLegacy();
      if (oldest !== null) next = next === null ? oldest : Math.min(next, oldest);
    }
    this.alarmAt = null;
    if (next !== null) await this.armAlarm(full ? now + 1000 : Math.max(next, now + PURGE_INTERVAL_MS));
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

  private liveReservation(key: string, now: number): Reservation | undefined {
    const held = this.reserved.get(key);
    return held !== undefined && held.until > now ? held : undefined;
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
