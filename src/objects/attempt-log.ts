// The endpoint's attempt log inside its EndpointGuard object's SQLite: the newest attempts (at least
// ATTEMPTS_KEPT), appended from the call reports the isolates already batch to the object. One row
// per appended batch (its attempts as JSON), so a consumer batch costs one row inserted and, once
// the log is full, about one evicted: not two rows per attempt. An attempt's `seq` (the page cursor)
// is its batch row id × SEQ_STRIDE + its place in the batch. Rows of the one-row-per-attempt table
// of earlier versions are still read (their seqs are all lower) until the new log is full.
import type { CallReport } from "../core/endpoint-report";
import type { AttemptLogEntry, AttemptPage } from "../ports/guard";

/** Twice the 500 the contract asks for, so a page walk never races the eviction of what it shows. */
export const ATTEMPTS_KEPT = 1000;
/** Attempts one batch row holds at most (and the seq step between rows). */
export const SEQ_STRIDE = 4096;

/** One attempt as stored in a batch row: the entry without its seq (which is its place). */
type Stored = Omit<AttemptLogEntry, "seq">;

type LegacyRow = {
  seq: number;
  at: number;
  message_id: string;
  source: string;
  event_type: string;
  route: string;
  attempt: number;
  mode: string;
  status: number | null;
  outcome: string;
  latency_ms: number;
  error: string | null;
  excerpt: string | null;
  encoding: string | null;
  lag_ms: number;
};

const LEGACY_COLUMNS = "seq, at, message_id, source, event_type, route, attempt, mode, status, outcome, latency_ms, error, excerpt, encoding, lag_ms";

export class AttemptLog {
  /** Attempts held in batch rows (kept in memory: read once per object start). */
  private held: number;
  private legacy: boolean;

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS attempt_batches (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, attempts TEXT NOT NULL)");
    this.held = sql.exec<{ n: number | null }>("SELECT SUM(n) AS n FROM attempt_batches").one().n ?? 0;
    this.legacy = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attempts'").toArray().length > 0;
  }

  /** Appends the reports that carry an attempt record and evicts the oldest batches beyond the log; returns the rows written. */
  append(reports: readonly CallReport[]): number {
    const stored = reports.flatMap((r) => (r.record === undefined ? [] : [toStored(r)]));
    let written = 0;
    for (let start = 0; start < stored.length; start += SEQ_STRIDE) {
      const part = stored.slice(start, start + SEQ_STRIDE);
      written += this.sql.exec("INSERT INTO attempt_batches (id, n, attempts) VALUES (?, ?, ?)", this.nextId(), part.length, JSON.stringify(part)).rowsWritten;
      this.held += part.length;
    }
    if (stored.length === 0) return written;
    // Whole batches go, oldest first, while the rest still hold ATTEMPTS_KEPT attempts.
    for (;;) {
      const oldest = this.sql.exec<{ id: number; n: number }>("SELECT id, n FROM attempt_batches ORDER BY id LIMIT 1").toArray()[0];
      if (oldest === undefined || this.held - oldest.n < ATTEMPTS_KEPT) break;
      written += this.sql.exec("DELETE FROM attempt_batches WHERE id = ?", oldest.id).rowsWritten;
      this.held -= oldest.n;
    }
    if (this.legacy && this.held >= ATTEMPTS_KEPT) {
      this.sql.exec("DROP TABLE IF EXISTS attempts");
      this.legacy = false;
    }
    return written;
  }

  page(limit: number, before: number | null): AttemptPage {
    const bound = before ?? Number.MAX_SAFE_INTEGER;
    const items: AttemptLogEntry[] = [];
    const rows = this.sql.exec<{ id: number; attempts: string }>("SELECT id, attempts FROM attempt_batches WHERE id <= ? ORDER BY id DESC", Math.floor(bound / SEQ_STRIDE));
    for (const row of rows) {
      const entries = unpack(row.id, row.attempts).reverse();
      for (const e of entries) if (e.seq < bound && items.length <= limit) items.push(e);
      if (items.length > limit) break;
    }
    if (items.length <= limit && this.legacy) {
      const rest = this.sql.exec<LegacyRow>(`SELECT ${LEGACY_COLUMNS} FROM attempts WHERE seq < ? ORDER BY seq DESC LIMIT ?`, bound, limit + 1 - items.length).toArray();
      items.push(...rest.map(fromLegacy));
    }
    const shown = items.slice(0, limit);
    const lastItem = shown[shown.length - 1];
    return { items: shown, next: items.length > limit && lastItem !== undefined ? lastItem.seq : null };
  }

  /** One message's attempts, oldest first (a scan of the log: admin only). */
  ofMessage(messageId: string): AttemptLogEntry[] {
    const needle = JSON.stringify(messageId);
    const out = this.legacy ? this.sql.exec<LegacyRow>(`SELECT ${LEGACY_COLUMNS} FROM attempts WHERE message_id = ? ORDER BY seq`, messageId).toArray().map(fromLegacy) : [];
    for (const row of this.sql.exec<{ id: number; attempts: string }>("SELECT id, attempts FROM attempt_batches WHERE instr(attempts, ?) > 0 ORDER BY id", needle)) {
      out.push(...unpack(row.id, row.attempts).filter((e) => e.messageId === messageId));
    }
    return out;
  }

  /** The next batch row id: above every seq of the earlier per-attempt table, so seqs keep growing. */
  private nextId(): number {
    const last = this.sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM attempt_batches").one().id;
    if (last !== null) return last + 1;
    const legacyMax = this.legacy ? (this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM attempts").one().seq ?? 0) : 0;
    return Math.floor(legacyMax / SEQ_STRIDE) + 1;
  }
}

function toStored(r: CallReport): Stored {
  const a = r.record;
  if (a === undefined) throw new Error("a report without an attempt record");
  return {
    at: r.at,
    messageId: a.messageId,
    source: a.source,
    eventType: a.eventType,
    route: r.route,
    attempt: a.attempt,
    mode: r.mode,
    status: a.status,
    outcome: a.outcome,
    latencyMs: Math.round(r.latencyMs),
    error: a.error,
    excerpt: a.excerpt,
    excerptEncoding: a.excerptEncoding,
    lagMs: Math.max(0, Math.round(a.lagMs)),
  };
}

function unpack(id: number, attempts: string): AttemptLogEntry[] {
  return (JSON.parse(attempts) as Stored[]).map((s, i) => ({ ...s, seq: id * SEQ_STRIDE + i }));
}

function fromLegacy(r: LegacyRow): AttemptLogEntry {
  return {
    seq: r.seq,
    at: r.at,
    messageId: r.message_id,
    source: r.source,
    eventType: r.event_type,
    route: r.route,
    attempt: r.attempt,
    mode: r.mode === "sync" ? "sync" : "async",
    status: r.status,
    outcome: r.outcome as AttemptLogEntry["outcome"],
    latencyMs: r.latency_ms,
    error: r.error,
    excerpt: r.excerpt,
    excerptEncoding: r.encoding === "utf8" || r.encoding === "base64" ? r.encoding : null,
    lagMs: r.lag_ms,
  };
}
