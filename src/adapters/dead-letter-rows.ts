// What every dead-letter backend stores for an input (ports/storage): the row of a dead-lettered
// envelope, the row of a malformed queue message, the batch bound. Shared so backends agree.
import { deadLetterId } from "../core/envelope";
import { MAX_DEAD_LETTER_BATCH, type DeadLetterInput, type DeadLetterRow, type MalformedMessage, type PurgeResult } from "../ports/storage";

/** The row a first write of `input` creates (a later write of the same id updates only the outcome). */
export function deadLetterRow(input: DeadLetterInput): DeadLetterRow {
  const e = input.envelope;
  const inline = e.body.kind === "inline" ? e.body.bytes : null;
  return {
    id: deadLetterId(e),
    message_id: e.id,
    source: e.source,
    event_type: e.event_type,
    route: e.route,
    endpoint: e.endpoint,
    queue: e.queue,
    reason: input.reason,
    attempts: input.attempts,
    last_status: input.lastStatus,
    last_error: input.lastError === null ? null : input.lastError.slice(0, 1000),
    trace_id: e.trace_id,
    idempotency_key: e.idempotency_key,
    content_type: e.content_type,
    headers: JSON.stringify(e.headers),
    body: inline,
    body_ref: e.body.kind === "r2" ? e.body.key : null,
    body_size: e.body.kind === "r2" ? e.body.size : (inline?.byteLength ?? 0),
    policy: JSON.stringify(e.policy),
    ordering_key: e.ordering?.key ?? null,
    sequence: e.ordering?.sequence ?? null,
    created_at: e.received_at,
    failed_at: input.failedAt,
    status: "dead",
    replay_count: e.replay_count,
    replayed_at: null,
    claimed_at: null,
  };
}

export const MALFORMED_TRACE_ID = "00000000000000000000000000000000";
export const MALFORMED_POLICY = '{"matrix":[],"max_attempts":1}';

export function malformedId(queueMessageId: string): string {
  return `queue_${queueMessageId}`;
}

export function malformedError(problem: string): string {
  return `malformed envelope: ${problem}`.slice(0, 1000);
}

/** A malformed message's row: no route or endpoint, its raw JSON text as the body. */
export function malformedRow(message: MalformedMessage): DeadLetterRow {
  return {
    id: malformedId(message.queueMessageId),
    message_id: malformedId(message.queueMessageId),
    source: "",
    event_type: "",
    route: "",
    endpoint: "",
    queue: "DELIVERY_QUEUE",
    reason: "malformed",
    attempts: 0,
    last_status: null,
    last_error: malformedError(message.problem),
    trace_id: MALFORMED_TRACE_ID,
    idempotency_key: null,
    content_type: null,
    headers: "[]",
    body: new TextEncoder().encode(message.raw),
    body_ref: null,
    body_size: message.raw.length,
    policy: MALFORMED_POLICY,
    ordering_key: null,
    sequence: null,
    created_at: message.at,
    failed_at: message.at,
    status: "dead",
    replay_count: 0,
    replayed_at: null,
    claimed_at: null,
  };
}

export function checkBatchSize(count: number): void {
  if (count > MAX_DEAD_LETTER_BATCH) {
    throw new RangeError(`at most ${MAX_DEAD_LETTER_BATCH} dead letters per batch, got ${count}`);
  }
}

/** What purging these rows frees: a fanned-out copy's body is shared (released per destination), any other is its own. */
export function purged(rows: readonly { id: string; message_id: string | null; endpoint: string; body_ref: string | null }[]): PurgeResult {
  const result: PurgeResult = { deleted: rows.length, bodyRefs: [], shared: [] };
  for (const r of rows) {
    if (r.body_ref === null) continue;
    if (r.message_id !== null && r.message_id !== r.id) result.shared.push({ key: r.body_ref, holder: r.endpoint });
    else result.bodyRefs.push(r.body_ref);
  }
  return result;
}
