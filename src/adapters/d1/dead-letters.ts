// D1 dead-letter store (ports/storage DeadLetterStore): idempotent upserts keyed by message id,
// filtered newest-first listing, compare-and-swap claims for replay, retention purge. Schema:
// migrations/, docs/storage.md.
import type {
  ClaimFilter,
  DeadLetterFilter,
  DeadLetterInput,
  DeadLetterRow,
  DeadLetterStatus,
  DeadLetterStore,
  DeadLetterSummary,
  DeletedDeadLetter,
  RouteCount,
} from "../../ports/storage";
import { DEAD_LETTER_SUMMARY_FIELDS } from "../../ports/storage";
import { checkBatchSize, deadLetterRow, purged, MALFORMED_POLICY, MALFORMED_TRACE_ID, malformedError, malformedId } from "../dead-letter-rows";
import { newestFirst, pageOf } from "../paging";

/** A row as D1 hands it back: a BLOB as an array of byte values (or a buffer), a malformed message's body as TEXT. */
type StoredRow = Omit<DeadLetterRow, "body"> & { body: ArrayBuffer | ArrayBufferView | number[] | string | null };

// A replayed event that fails again lands on its old row (same id): back to `dead`, its replay count kept.
const UPSERT = `INSERT INTO dead_letters (id, message_id, source, event_type, route, endpoint, queue, reason, attempts, last_status, last_error,
  trace_id, idempotency_key, content_type, headers, body, body_ref, body_size, policy, ordering_key, sequence, created_at, failed_at, status,
  replay_count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'dead', ?)
  ON CONFLICT(id) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts, last_status = excluded.last_status,
  last_error = excluded.last_error, failed_at = excluded.failed_at, status = 'dead',
  replay_count = MAX(dead_letters.replay_count, excluded.replay_count)`;

const INSERT_MALFORMED = `INSERT INTO dead_letters (id, message_id, source, event_type, route, endpoint, queue, reason, attempts, last_error, trace_id,
  headers, body, body_size, policy, created_at, failed_at)
  VALUES (?, ?, '', '', '', '', 'DELIVERY_QUEUE', 'malformed', 0, ?, ?, '[]', ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO NOTHING`;

const MARK_REPLAYED = `UPDATE dead_letters SET replay_count = replay_count + 1, replayed_at = ?,
  status = CASE WHEN status = 'replaying' THEN 'replayed' ELSE status END WHERE id = ?`;
const UNCLAIM = "UPDATE dead_letters SET status = 'dead' WHERE id = ? AND status = 'replaying'";

function upsert(db: D1Database, input: DeadLetterInput): D1PreparedStatement {
  const r = deadLetterRow(input);
  return db
    .prepare(UPSERT)
    .bind(
      r.id,
      r.message_id,
      r.source,
      r.event_type,
      r.route,
      r.endpoint,
      r.queue,
      r.reason,
      r.attempts,
      r.last_status,
      r.last_error,
      r.trace_id,
      r.idempotency_key,
      r.content_type,
      r.headers,
      r.body,
      r.body_ref,
      r.body_size,
      r.policy,
      r.ordering_key,
      r.sequence,
      r.created_at,
      r.failed_at,
      r.replay_count,
    );
}

function where(filter: DeadLetterFilter, statuses: readonly DeadLetterStatus[]): { sql: string; params: (string | number)[] } {
  const clauses = [`status IN (${statuses.map(() => "?").join(", ")})`];
  const params: (string | number)[] = [...statuses];
  for (const field of ["message_id", "source", "event_type", "endpoint", "reason", "route"] as const) {
    const value = filter[field];
    if (value !== undefined) {
      clauses.push(`${field} = ?`);
      params.push(value);
    }
  }
  return { sql: clauses.join(" AND "), params };
}

function bytesOf(body: StoredRow["body"]): Uint8Array | null {
  if (body === null) return null;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return Uint8Array.from(body);
}

const fromStored = (row: StoredRow): DeadLetterRow => ({ ...row, body: bytesOf(row.body) });

const keyOf = (row: { failed_at: number; id: string }) => ({ at: row.failed_at, id: row.id });

export function d1DeadLetterStore(db: D1Database): DeadLetterStore {
  return {
    async write(input) {
      await upsert(db, input).run();
    },

    async writeMany(inputs) {
      checkBatchSize(inputs.length);
      if (inputs.length > 0) await db.batch(inputs.map((input) => upsert(db, input)));
    },

    async writeMalformed(m) {
      await db
        .prepare(INSERT_MALFORMED)
        .bind(malformedId(m.queueMessageId), malformedId(m.queueMessageId), malformedError(m.problem), MALFORMED_TRACE_ID, m.raw, m.raw.length, MALFORMED_POLICY, m.at, m.at)
        .run();
    },

    async get(id) {
      const row = await db.prepare("SELECT * FROM dead_letters WHERE id = ?").bind(id).first<StoredRow>();
      return row === null ? null : fromStored(row);
    },

    async list({ filter, statuses, limit, after }) {
      const w = where(filter, statuses);
      let sql = `SELECT ${DEAD_LETTER_SUMMARY_FIELDS.join(", ")} FROM dead_letters WHERE ${w.sql}`;
      const params = [...w.params];
      if (after !== null) {
        sql += " AND (failed_at < ? OR (failed_at = ? AND id < ?))";
        params.push(after.at, after.at, after.id);
      }
      sql += " ORDER BY failed_at DESC, id DESC LIMIT ?";
      params.push(limit + 1);
      const { results } = await db
        .prepare(sql)
        .bind(...params)
        .all<DeadLetterSummary>();
      return pageOf(results, limit, keyOf);
    },

    async delete(id) {
      return db
        .prepare("DELETE FROM dead_letters WHERE id = ? AND status != 'replaying' RETURNING id, route, endpoint, status, body_ref, ordering_key")
        .bind(id)
        .first<DeletedDeadLetter>();
    },

    // One UPDATE statement (a compare-and-swap on status), so concurrent callers never get the same row.
    async claimForReplay(filter: ClaimFilter, limit, now) {
      const w = where(filter, ["dead"]);
      let inner = `SELECT id FROM dead_letters WHERE ${w.sql} AND reason != 'malformed'`;
      const params = [...w.params];
      if (filter.id !== undefined) {
        inner += " AND id = ?";
        params.push(filter.id);
      }
      if (filter.maxReplayCount !== undefined) {
        inner += " AND replay_count < ?";
        params.push(filter.maxReplayCount);
      }
      if (filter.unorderedOnly === true) inner += " AND ordering_key IS NULL";
      inner += " ORDER BY failed_at DESC, id DESC LIMIT ?";
      params.push(limit);
      const { results } = await db
        .prepare(`UPDATE dead_letters SET status = 'replaying', claimed_at = ? WHERE status = 'dead' AND id IN (${inner}) RETURNING *`)
        .bind(now, ...params)
        .all<StoredRow>();
      // Newest first, as the inner SELECT chose them (UPDATE … RETURNING has no order of its own).
      return results.map(fromStored).sort((a, b) => newestFirst(keyOf(a), keyOf(b)));
    },

    async settleReplays({ replayed, released, at }) {
      const statements = [...replayed.map((id) => db.prepare(MARK_REPLAYED).bind(at, id)), ...released.map((id) => db.prepare(UNCLAIM).bind(id))];
      if (statements.length > 0) await db.batch(statements);
    },

    async countWaitingByRoute() {
      const { results } = await db.prepare("SELECT route, endpoint, COUNT(*) AS count FROM dead_letters WHERE status = 'dead' GROUP BY route, endpoint").all<RouteCount>();
      return results;
    },

    async purgeOlderThan(before, limit) {
      const { results } = await db
        .prepare(
          `DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE failed_at < ? AND (replayed_at IS NULL OR replayed_at < ?)
          AND status != 'replaying' ORDER BY failed_at LIMIT ?) RETURNING id, message_id, endpoint, body_ref`,
        )
        .bind(before, before, limit)
        .all<{ id: string; message_id: string | null; endpoint: string; body_ref: string | null }>();
      return purged(results);
    },

    async releaseStaleClaims(before, limit) {
      const { results } = await db
        .prepare(
          `UPDATE dead_letters SET status = 'dead' WHERE id IN (
          SELECT id FROM dead_letters WHERE status = 'replaying' AND (claimed_at IS NULL OR claimed_at < ?) LIMIT ?) RETURNING id`,
        )
        .bind(before, limit)
        .all<{ id: string }>();
      return results.length;
    },
  };
}
