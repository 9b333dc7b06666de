// D1 dead-letter store: idempotent upserts keyed by message id, filtered newest-first listing with
// an opaque cursor, compare-and-swap claims for replay, retention purge; and the fallbacks table beside
// it (reconciliation listing). Schema: migrations/, docs/storage.md.
import type { Envelope } from "../core/envelope";

export type DeadLetterReason = "exhausted" | "rejected" | "gone" | "blocked_url" | "malformed";

export interface DeadLetterInput {
  envelope: Envelope;
  reason: DeadLetterReason;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  failedAt: number;
}

export interface DeadLetterRow {
  id: string; source: string; event_type: string; route: string; endpoint: string; queue: string;
  reason: string; attempts: number; last_status: number | null; last_error: string | null; trace_id: string;
  /** D1 hands a BLOB back as an array of byte values; a malformed envelope's text is stored as TEXT. */
  idempotency_key: string | null; content_type: string | null; headers: string; body: ArrayBuffer | number[] | string | null;
  body_ref: string | null; body_size: number; policy: string; ordering_key: string | null; sequence: number | null;
  created_at: number; failed_at: number; status: string; replay_count: number; replayed_at: number | null;
}

export interface DeadLetterFilter {
  source?: string | undefined;
  event_type?: string | undefined;
  endpoint?: string | undefined;
  reason?: string | undefined;
  route?: string | undefined;
}

/** Extra conditions of a replay claim (automated replay). */
export interface ClaimOptions {
  /** Only rows replayed fewer times than this. */
  maxReplayCount?: number;
  /** Only rows of unordered routes. */
  unorderedOnly?: boolean;
  /** The claim's time (ms), for releasing claims whose Worker died; defaults to the clock. */
  now?: number;
}

// A replayed event that fails again lands on its old row (same id): back to `dead`, its replay count kept.
const UPSERT = `INSERT INTO dead_letters (id, source, event_type, route, endpoint, queue, reason, attempts, last_status, last_error,
  trace_id, idempotency_key, content_type, headers, body, body_ref, body_size, policy, ordering_key, sequence, created_at, failed_at, status,
  replay_count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'dead', ?)
  ON CONFLICT(id) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts, last_status = excluded.last_status,
  last_error = excluded.last_error, failed_at = excluded.failed_at, status = 'dead',
  replay_count = MAX(dead_letters.replay_count, excluded.replay_count)`;

export function upsertStatement(db: D1Database, input: DeadLetterInput): D1PreparedStatement {
  const e = input.envelope;
  const inline = e.body.kind === "inline" ? e.body.bytes : null;
  return db.prepare(UPSERT).bind(
    e.id, e.source, e.event_type, e.route, e.endpoint, e.queue, input.reason, input.attempts, input.lastStatus,
    input.lastError === null ? null : input.lastError.slice(0, 1000), e.trace_id, e.idempotency_key, e.content_type,
    JSON.stringify(e.headers), inline, e.body.kind === "r2" ? e.body.key : null, e.body.kind === "r2" ? e.body.size : (inline?.byteLength ?? 0),
    JSON.stringify(e.policy), e.ordering?.key ?? null, e.ordering?.sequence ?? null, e.received_at, input.failedAt, e.replay_count,
  );
}

export async function writeDeadLetter(db: D1Database, input: DeadLetterInput): Promise<void> {
  await upsertStatement(db, input).run();
}

function where(filter: DeadLetterFilter, statuses: readonly string[]): { sql: string; params: (string | number)[] } {
  const clauses = [`status IN (${statuses.map(() => "?").join(", ")})`];
  const params: (string | number)[] = [...statuses];
  for (const field of ["source", "event_type", "endpoint", "reason", "route"] as const) {
    const value = filter[field];
    if (value !== undefined) {
      clauses.push(`${field} = ?`);
      params.push(value);
    }
  }
  return { sql: clauses.join(" AND "), params };
}

/** An opaque, URL-safe cursor: base64url of `[failed_at, id]` of the last row of a page. */
export function encodeCursor(row: { failed_at: number; id: string }): string {
  return btoa(JSON.stringify([row.failed_at, row.id])).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

export function decodeCursor(cursor: string): { failedAt: number; id: string } | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && typeof value[0] === "number" && typeof value[1] === "string") {
      return { failedAt: value[0], id: value[1] };
    }
  } catch {
    return null;
  }
  return null;
}

const LIST_COLUMNS = `id, source, event_type, route, endpoint, reason, attempts, last_status, last_error, trace_id, created_at,
  failed_at, status, replay_count, replayed_at, ordering_key, sequence, body_size`;

export async function listDeadLetters(
  db: D1Database,
  filter: DeadLetterFilter,
  limit: number,
  cursor: { failedAt: number; id: string } | null,
  statuses: readonly string[] = ["dead"],
): Promise<{ rows: DeadLetterRow[]; next: string | null }> {
  const w = where(filter, statuses);
  let sql = `SELECT ${LIST_COLUMNS} FROM dead_letters WHERE ${w.sql}`;
  const params = [...w.params];
  if (cursor !== null) {
    sql += " AND (failed_at < ? OR (failed_at = ? AND id < ?))";
    params.push(cursor.failedAt, cursor.failedAt, cursor.id);
  }
  sql += " ORDER BY failed_at DESC, id DESC LIMIT ?";
  params.push(limit + 1);
  const { results } = await db.prepare(sql).bind(...params).all<DeadLetterRow>();
  const rows = results.slice(0, limit);
  const last = rows[rows.length - 1];
  return { rows, next: results.length > limit && last !== undefined ? encodeCursor(last) : null };
}

export async function getDeadLetter(db: D1Database, id: string): Promise<DeadLetterRow | null> {
  return db.prepare("SELECT * FROM dead_letters WHERE id = ?").bind(id).first<DeadLetterRow>();
}

/** Deletes a row unless it is being claimed for replay right now; returns what was deleted. */
export type DeletedDeadLetter = Pick<DeadLetterRow, "id" | "route" | "endpoint" | "status" | "body_ref" | "ordering_key">;

export async function deleteDeadLetter(db: D1Database, id: string): Promise<DeletedDeadLetter | null> {
  return db.prepare("DELETE FROM dead_letters WHERE id = ? AND status != 'replaying' RETURNING id, route, endpoint, status, body_ref, ordering_key")
    .bind(id).first<DeletedDeadLetter>();
}

/**
 * Atomically moves matching dead letters from `dead` to `replaying` and returns them: one UPDATE
 * statement (a compare-and-swap on status), so concurrent callers never get the same row.
 * Malformed envelopes are never claimed: there is nothing to deliver.
 */
export async function claimForReplay(
  db: D1Database,
  filter: DeadLetterFilter & { id?: string },
  limit: number,
  options: ClaimOptions = {},
): Promise<DeadLetterRow[]> {
  const w = where(filter, ["dead"]);
  let inner = `SELECT id FROM dead_letters WHERE ${w.sql} AND reason != 'malformed'`;
  const params = [...w.params];
  if (filter.id !== undefined) {
    inner += " AND id = ?";
    params.push(filter.id);
  }
  if (options.maxReplayCount !== undefined) {
    inner += " AND replay_count < ?";
    params.push(options.maxReplayCount);
  }
  if (options.unorderedOnly === true) inner += " AND ordering_key IS NULL";
  inner += " ORDER BY failed_at DESC, id DESC LIMIT ?";
  params.push(limit);
  const { results } = await db
    .prepare(`UPDATE dead_letters SET status = 'replaying', claimed_at = ? WHERE status = 'dead' AND id IN (${inner}) RETURNING *`)
    .bind(options.now ?? Date.now(), ...params)
    .all<DeadLetterRow>();
  return results;
}

/**
 * Records a replay that was handed to delivery: count and time always, status `replayed` unless the
 * replayed delivery already failed again and its upsert put the row back to `dead` first.
 */
export function markReplayedStatement(db: D1Database, id: string, at: number): D1PreparedStatement {
  return db.prepare(
    "UPDATE dead_letters SET replay_count = replay_count + 1, replayed_at = ?, status = CASE WHEN status = 'replaying' THEN 'replayed' ELSE status END WHERE id = ?",
  ).bind(at, id);
}

export async function markReplayed(db: D1Database, id: string, at: number): Promise<void> {
  await markReplayedStatement(db, id, at).run();
}

/** Gives a claimed row back (its replay could not be handed to delivery). */
export function unclaimStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("UPDATE dead_letters SET status = 'dead' WHERE id = ? AND status = 'replaying'").bind(id);
}

export async function unclaim(db: D1Database, id: string): Promise<void> {
  await unclaimStatement(db, id).run();
}

export async function countByRoute(db: D1Database): Promise<{ route: string; endpoint: string; count: number }[]> {
  const { results } = await db.prepare("SELECT route, endpoint, COUNT(*) AS count FROM dead_letters WHERE status = 'dead' GROUP BY route, endpoint")
    .all<{ route: string; endpoint: string; count: number }>();
  return results;
}

/**
 * Deletes up to `limit` rows that failed (and were last replayed) before `before`, never one being
 * claimed right now; returns their R2 keys so the caller removes those too.
 */
export async function purgeOlderThan(db: D1Database, before: number, limit: number): Promise<{ deleted: number; bodyRefs: string[] }> {
  const { results } = await db
    .prepare(`DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE failed_at < ? AND (replayed_at IS NULL OR replayed_at < ?)
      AND status != 'replaying' ORDER BY failed_at LIMIT ?) RETURNING body_ref`)
    .bind(before, before, limit)
    .all<{ body_ref: string | null }>();
  return { deleted: results.length, bodyRefs: results.flatMap((r) => (r.body_ref === null ? [] : [r.body_ref])) };
}

// ---- fallbacks: every sync-to-async fallback, listed newest first for reconciliation.

export interface FallbackRow {
  id: string; trace_id: string; source: string; event_type: string; route: string; endpoint: string; reason: string; at: number;
}

export interface FallbackFilter {
  source?: string | undefined;
  endpoint?: string | undefined;
  reason?: string | undefined;
}

export async function listFallbacks(
  db: D1Database,
  filter: FallbackFilter,
  limit: number,
  cursor: { at: number; id: string } | null,
): Promise<{ rows: FallbackRow[]; next: string | null }> {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  for (const field of ["source", "endpoint", "reason"] as const) {
    const value = filter[field];
    if (value !== undefined) {
      clauses.push(`${field} = ?`);
      params.push(value);
    }
  }
  if (cursor !== null) {
    clauses.push("(at < ? OR (at = ? AND id < ?))");
    params.push(cursor.at, cursor.at, cursor.id);
  }
  const whereSql = clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
  params.push(limit + 1);
  const { results } = await db
    .prepare(`SELECT id, trace_id, source, event_type, route, endpoint, reason, at FROM fallbacks${whereSql} ORDER BY at DESC, id DESC LIMIT ?`)
    .bind(...params)
    .all<FallbackRow>();
  const rows = results.slice(0, limit);
  const last = rows[rows.length - 1];
  return { rows, next: results.length > limit && last !== undefined ? encodeCursor({ failed_at: last.at, id: last.id }) : null };
}

/**
 * Gives back replay claims older than `before` (the Worker that claimed them died before recording
 * the replay), so they are listed and replayable again. Returns how many.
 */
export async function releaseStaleClaims(db: D1Database, before: number, limit: number): Promise<number> {
  const { results } = await db
    .prepare(`UPDATE dead_letters SET status = 'dead' WHERE id IN (
      SELECT id FROM dead_letters WHERE status = 'replaying' AND (claimed_at IS NULL OR claimed_at < ?) LIMIT ?) RETURNING id`)
    .bind(before, limit)
    .all<{ id: string }>();
  return results.length;
}
