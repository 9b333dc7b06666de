// The endpoint's attempt log inside its EndpointGuard object's SQLite: a ring of the newest
// ATTEMPTS_KEPT attempts, appended from the call reports the isolates already batch to the object
// (no write per request on the hot path). Cost: one row inserted and one evicted per attempt. `seq` is
// the rowid without AUTOINCREMENT (that would write sqlite_sequence too): the newest row is never
// evicted, so it keeps growing.
import type { CallReport } from "../core/endpoint-report";
import type { AttemptLogEntry, AttemptPage } from "../ports/guard";

/** Twice the 500 the contract asks for, so a page walk never races the eviction of what it shows. */
export const ATTEMPTS_KEPT = 1000;

type Row = {
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

const COLUMNS = "seq, at, message_id, source, event_type, route, attempt, mode, status, outcome, latency_ms, error, excerpt, encoding, lag_ms";

export class AttemptLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS attempts (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, message_id TEXT NOT NULL,
      source TEXT NOT NULL, event_type TEXT NOT NULL, route TEXT NOT NULL, attempt INTEGER NOT NULL, mode TEXT NOT NULL, status INTEGER,
      outcome TEXT NOT NULL, latency_ms INTEGER NOT NULL, error TEXT, excerpt TEXT, encoding TEXT, lag_ms INTEGER NOT NULL)`);
  }

  /** Appends the reports that carry an attempt record and evicts beyond the ring; returns the rows written. */
  append(reports: readonly CallReport[]): number {
    let written = 0;
    let last = 0;
    for (const r of reports) {
      const a = r.record;
      if (a === undefined) continue;
      const cursor = this.sql.exec<{ seq: number }>(
        `INSERT INTO attempts (at, message_id, source, event_type, route, attempt, mode, status, outcome, latency_ms, error, excerpt, encoding, lag_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
        r.at,
        a.messageId,
        a.source,
        a.eventType,
        r.route,
        a.attempt,
        r.mode,
        a.status,
        a.outcome,
        Math.round(r.latencyMs),
        a.error,
        a.excerpt,
        a.excerptEncoding,
        Math.max(0, Math.round(a.lagMs)),
      );
      last = cursor.one().seq;
      written += cursor.rowsWritten;
    }
    if (last > 0) written += this.sql.exec("DELETE FROM attempts WHERE seq <= ?", last - ATTEMPTS_KEPT).rowsWritten;
    return written;
  }

  page(limit: number, before: number | null): AttemptPage {
    const rows = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM attempts WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before ?? Number.MAX_SAFE_INTEGER, limit + 1).toArray();
    const items = rows.slice(0, limit).map(entry);
    const lastItem = items[items.length - 1];
    return { items, next: rows.length > limit && lastItem !== undefined ? lastItem.seq : null };
  }

  /** One message's attempts, oldest first (a scan of at most ATTEMPTS_KEPT rows: admin only). */
  ofMessage(messageId: string): AttemptLogEntry[] {
    return this.sql.exec<Row>(`SELECT ${COLUMNS} FROM attempts WHERE message_id = ? ORDER BY seq`, messageId).toArray().map(entry);
  }
}

function entry(r: Row): AttemptLogEntry {
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
