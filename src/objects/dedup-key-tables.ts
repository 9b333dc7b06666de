// A dedup shard's keys: WITHOUT ROWID tables, one per bucket of window ends (core/dedup-buckets),
// so a claim writes one row and a whole bucket is purged by DROP TABLE (no row written per key).
// Also reads and drains the single `keys` table of earlier versions until it is empty. `owner` is the
// message id of a key taken send-first (docs/dedup.md), null for claim-first keys.
import { bucketEnd, keyTableEnd, keyTableName } from "../core/dedup-buckets";

export interface KeyRow {
  body_hash: string;
  state: string;
  answer: string | null;
  owner: string | null;
  lease_until: number;
  expires_at: number;
  [key: string]: SqlStorageValue;
}

/** A live row and the table it is in. */
export interface Found {
  table: string;
  row: KeyRow;
}

/** The table of earlier versions (a rowid table, purged row by row by the alarm). */
export const LEGACY_TABLE = "keys";

const COLUMNS = "key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL, answer TEXT, lease_until INTEGER NOT NULL, expires_at INTEGER NOT NULL, owner TEXT";

/** A key written with its answer by its owner (send first, claim after), or claimed pending. */
type NewRow = { state: "pending"; leaseUntil: number } | { state: "done"; answer: string; owner: string };

export class KeyTables {
  /** Bucket ends of the key tables that exist, ascending. */
  private ends: number[];
  private legacy: boolean;

  constructor(private readonly sql: SqlStorage) {
    const tables = sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'keys%'").toArray();
    // Tables of versions before send-first lack `owner` (adding a nullable column writes no rows).
    for (const t of tables) if (!/\bowner\b/.test(t.sql)) sql.exec(`ALTER TABLE ${t.name} ADD COLUMN owner TEXT`);
    const names = tables.map((r) => r.name);
    this.legacy = names.includes(LEGACY_TABLE);
    this.ends = names
      .map(keyTableEnd)
      .filter((end): end is number => end !== null)
      .sort((a, b) => a - b);
  }

  /** The unexpired row of `key`, wherever it is (at most one: a key is only written when it has none), `skip` aside. */
  find(key: string, now: number, skip?: string): Found | undefined {
    for (const table of this.tables()) {
      if (table === skip) continue;
      const row = this.read(table, key);
      if (row !== undefined && row.expires_at > now) return { table, row };
    }
    return undefined;
  }

  /**
   * Claims `key` as pending in its bucket's table unless it has a live row: `found` is that row;
   * otherwise `created` is the bucket's end when this call created its table (once per shard and
   * bucket: the caller arms the purge), else null. The usual new key costs a point read of the other
   * live table and one INSERT (one row written).
   */
  claim(key: string, bodyHash: string, leaseUntil: number, expiresAt: number, windowMs: number, now: number): { found: Found } | { created: number | null } {
    return this.insert(key, bodyHash, { state: "pending", leaseUntil }, expiresAt, windowMs, now);
  }

  /** Like `claim`, but the key is written done, with its owner and answer (send first, claim after). */
  own(key: string, bodyHash: string, owner: string, answer: string, expiresAt: number, windowMs: number, now: number): { found: Found } | { created: number | null } {
    return this.insert(key, bodyHash, { state: "done", answer, owner }, expiresAt, windowMs, now);
  }

  /** Gives a key whose claim-first lease ran out (its claimer died) to `owner`, with its answer. */
  takeOver(found: Found, key: string, owner: string, answer: string): void {
    this.sql.exec(`UPDATE ${found.table} SET state = 'done', answer = ?, owner = ? WHERE key = ?`, answer, owner, key);
  }

  private insert(key: string, bodyHash: string, row: NewRow, expiresAt: number, windowMs: number, now: number): { found: Found } | { created: number | null } {
    const end = bucketEnd(expiresAt, windowMs);
    const target = keyTableName(end);
    const elsewhere = this.find(key, now, target);
    if (elsewhere !== undefined) return { found: elsewhere };
    const created = !this.ends.includes(end);
    if (created) {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS ${target} (${COLUMNS}) WITHOUT ROWID`);
      this.ends = [...this.ends, end].sort((a, b) => a - b);
    }
    const values = row.state === "pending" ? [key, bodyHash, "pending", null, null, row.leaseUntil, expiresAt] : [key, bodyHash, "done", row.answer, row.owner, 0, expiresAt];
    const insert = `INTO ${target} (key, body_hash, state, answer, owner, lease_until, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;
    if (this.sql.exec(`INSERT ${insert} ON CONFLICT DO NOTHING RETURNING 1 AS n`, ...values).toArray().length === 0) {
      const here = this.read(target, key);
      if (here !== undefined && here.expires_at > now) return { found: { table: target, row: here } };
      // An expired row in this bucket (its window was shorter): replaced.
      this.sql.exec(`INSERT OR REPLACE ${insert}`, ...values);
    }
    return { created: created ? end : null };
  }

  setLease(found: Found, key: string, leaseUntil: number): void {
    this.sql.exec(`UPDATE ${found.table} SET lease_until = ? WHERE key = ?`, leaseUntil, key);
  }

  /** Stores the answer of a live key; false when the key is not there (expired, released, purged). */
  complete(key: string, answer: string, now: number): boolean {
    const found = this.find(key, now);
    if (found === undefined) return false;
    // A key an owner took over (the claimer's lease had run out) keeps the owner's answer.
    this.sql.exec(`UPDATE ${found.table} SET state = 'done', answer = ? WHERE key = ? AND owner IS NULL`, answer, key);
    return true;
  }

  release(key: string, now: number): void {
    const found = this.find(key, now);
    if (found !== undefined) this.sql.exec(`DELETE FROM ${found.table} WHERE key = ? AND state = 'pending'`, key);
  }

  /** Drops the tables whose bucket has ended (every key in them expired); the earliest end left, or null. */
  dropEnded(now: number): number | null {
    while (this.ends[0] !== undefined && this.ends[0] <= now) {
      this.sql.exec(`DROP TABLE IF EXISTS ${keyTableName(this.ends[0])}`);
      this.ends = this.ends.slice(1);
    }
    return this.ends[0] ?? null;
  }

  /** Whether the table of earlier versions is still there (the alarm drains it, then drops it). */
  hasLegacy(): boolean {
    return this.legacy;
  }

  dropLegacy(): void {
    this.sql.exec(`DROP TABLE IF EXISTS ${LEGACY_TABLE}`);
    this.legacy = false;
  }

  private read(table: string, key: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>(`SELECT body_hash, state, answer, owner, lease_until, expires_at FROM ${table} WHERE key = ?`, key).toArray()[0];
  }

  /** Newest bucket first (a live key is most likely recent), the table of earlier versions last. */
  private tables(): string[] {
    const out = [...this.ends].reverse().map(keyTableName);
    if (this.legacy) out.push(LEGACY_TABLE);
    return out;
  }
}
