// Replay of dead letters: claim rows by a status compare-and-swap in the dead-letter store, rebuild
// each envelope (attempt 0, same id, trace, body reference, headers, policy and queue), hand it back to
// async delivery, then record the replay (count and time) on the row. A hand-off that fails gives the row back.
import * as z from "../core/zod";
import { envelopeSchema, type BodyRef, type Envelope } from "../core/envelope";
import { spanId } from "../core/ids";
import type { Ports } from "../ports";
import type { ClaimFilter, DeadLetterRow } from "../ports/storage";
import { replayIntoStream } from "./ordered";
import { errorMessage, log } from "../log";

/** Hand-offs in flight at once during a bulk replay. */
const HANDOFF_CONCURRENCY = 8;

const storedHeaders = z.array(z.tuple([z.string(), z.string()]));
const storedPolicy = envelopeSchema.shape.policy;

export type ReplayOneResult = { kind: "queued"; id: string; replayCount: number } | { kind: "not_found" } | { kind: "conflict"; detail: string } | { kind: "failed" };

export interface ReplayOptions {
  /** Who asked: an operator (admin API) or the scheduled automated replay. */
  trigger: "admin" | "auto";
  /** Spread the hand-offs over this many seconds with queue delays (bounded replay rate). */
  spreadOverS?: number;
}

export type ReplayDeps = Pick<Ports, "deadLetters" | "queue" | "ordering" | "clock">;

/** The envelope a dead letter is replayed with: a fresh start (attempt 0) of the same message. */
export function envelopeFromRow(row: DeadLetterRow, parentSpanId: string): Envelope {
  const body: BodyRef = row.body_ref !== null ? { kind: "r2", key: row.body_ref, size: row.body_size } : { kind: "inline", bytes: row.body ?? new Uint8Array(0) };
  return {
    v: 1,
    // A fanned-out message's dead letter has its own id; the replay goes out under the message id.
    id: row.message_id,
    trace_id: row.trace_id,
    parent_span_id: parentSpanId,
    source: row.source,
    event_type: row.event_type,
    route: row.route,
    endpoint: row.endpoint,
    queue: row.queue,
    idempotency_key: row.idempotency_key,
    content_type: row.content_type,
    headers: storedHeaders.parse(JSON.parse(row.headers)),
    body,
    received_at: row.created_at,
    attempt: 0,
    policy: storedPolicy.parse(JSON.parse(row.policy)),
    last_status: null,
    last_error: null,
    fallback: null,
    replay_count: row.replay_count + 1,
    ordering: row.ordering_key !== null && row.sequence !== null ? { key: row.ordering_key, sequence: row.sequence } : null,
    ...(row.id !== row.message_id ? { fanout: true } : {}),
  };
}

/**
 * Dead letters of ordered routes (`ordering_key` set) go back through their key's OrderedStream
 * object, not the plain queue, under their original sequence: a key blocked on this dead letter
 * resumes with it (docs/ordering.md). Throws when the object did not take it (the row is given back).
 */
export async function replayOrdered(deps: Pick<Ports, "ordering">, envelope: Envelope): Promise<void> {
  await replayIntoStream(deps, envelope);
}

/** Replays one dead letter by id: 404 when unknown, 409 when it is not `dead` (already replaying or replayed). */
export async function replayOne(deps: ReplayDeps, id: string): Promise<ReplayOneResult> {
  const [row] = await deps.deadLetters.claimForReplay({ id }, 1, deps.clock.now());
  if (row === undefined) {
    const existing = await deps.deadLetters.get(id);
    if (existing === null) return { kind: "not_found" };
    if (existing.reason === "malformed") return { kind: "conflict", detail: "A malformed queue message cannot be replayed; inspect and delete it." };
    return { kind: "conflict", detail: `This dead letter is ${existing.status === "replaying" ? "being replayed" : "already replayed"}.` };
  }
  const { replayed } = await replayClaimed(deps, [row], { trigger: "admin" });
  return replayed === 1 ? { kind: "queued", id: row.id, replayCount: row.replay_count + 1 } : { kind: "failed" };
}

/** Claims up to `limit` dead letters matching the filter and replays each exactly once. */
export async function replayMatching(deps: ReplayDeps, filter: ClaimFilter, limit: number, options: ReplayOptions): Promise<{ replayed: number; failed: number }> {
  const rows = await deps.deadLetters.claimForReplay(filter, limit, deps.clock.now());
  if (rows.length === 0) return { replayed: 0, failed: 0 };
  return replayClaimed(deps, rows, options);
}

/** Hands claimed rows to delivery, then marks the sent ones replayed and gives the others back. */
async function replayClaimed(deps: ReplayDeps, rows: readonly DeadLetterRow[], options: ReplayOptions): Promise<{ replayed: number; failed: number }> {
  const sent: DeadLetterRow[] = [];
  const failed: DeadLetterRow[] = [];
  await forEachLimited(rows, HANDOFF_CONCURRENCY, async (row, index) => {
    const delaySeconds = options.spreadOverS === undefined ? 0 : Math.floor((index * options.spreadOverS) / rows.length);
    try {
      await handOff(deps, row, delaySeconds);
      sent.push(row);
    } catch (error) {
      failed.push(row);
      log("error", "dead_letter_replay_failed", { message_id: row.id, route: row.route, endpoint: row.endpoint, trigger: options.trigger, error: errorMessage(error) });
    }
  });
  try {
    await deps.deadLetters.settleReplays({ replayed: sent.map((r) => r.id), released: failed.map((r) => r.id), at: deps.clock.now() });
  } catch (error) {
    // The hand-offs already happened; the rows stay `replaying` (visible with ?status=replaying).
    log("error", "dead_letter_replay_mark_failed", { count: sent.length + failed.length, error: errorMessage(error) });
  }
  for (const row of sent) {
    log("info", "dead_letter_replayed", {
      trace_id: row.trace_id,
      message_id: row.id,
      source: row.source,
      event_type: row.event_type,
      route: row.route,
      endpoint: row.endpoint,
      replay_count: row.replay_count + 1,
      trigger: options.trigger,
    });
  }
  return { replayed: sent.length, failed: failed.length };
}

async function handOff(deps: ReplayDeps, row: DeadLetterRow, delaySeconds: number): Promise<void> {
  const envelope = envelopeFromRow(row, spanId(deps.clock.randomBytes(8)));
  if (row.ordering_key !== null) return replayOrdered(deps, envelope);
  await deps.queue.send(envelope, delaySeconds);
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) await fn(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
