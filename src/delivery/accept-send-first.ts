// Async accept with dedup, send first: the event's copies go to the queue carrying their owner check,
// then one call takes the key with the 202 in the same row (no `complete`). A request that does not
// get the key answers as the key's owner did; its copies are dropped by the consumer (docs/dedup.md).
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";
import { acceptedAnswer, filteredAnswer, fromStored, toStored, type DispatchOutcome } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueCopies, noteBacklog } from "./enqueue";

export interface SendFirstKey {
  keyHash: string;
  key: string;
  bodyHash: string;
  windowMs: number;
  /** How long to wait for a claim-first request holding the key (a sync call on the same key). */
  waitMs: number;
}

export async function acceptSendFirst(ports: Ports, event: AcceptedEvent, k: SendFirstKey): Promise<DispatchOutcome> {
  const traceId = event.trace.traceId;
  const filtered = event.copies.length === 0;
  const answer = filtered
    ? filteredAnswer(event.messageId, traceId)
    : acceptedAnswer(
        event.messageId,
        traceId,
        event.copies.map((e) => e.name),
      );
  const stored = toStored(answer);
  if (!filtered) {
    try {
      await enqueueCopies(ports, event, event.copies, null, { key: k.key, key_hash: k.keyHash, body_hash: k.bodyHash, window_ms: k.windowMs, answer: stored });
    } catch (error) {
      // Nothing is held: the producer's retry starts afresh (a copy that did reach the queue is
      // delivered or dropped by its owner check, whichever request then owns the key).
      log("error", "enqueue_failed", { trace_id: traceId, message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "enqueue failed" };
    }
  }
  let owned;
  try {
    owned = await ports.idempotency.own({ keyHash: k.keyHash, key: k.key, bodyHash: k.bodyHash, owner: event.messageId, answer: stored, windowMs: k.windowMs, waitMs: k.waitMs });
  } catch (error) {
    // The copies are queued: their consumer takes the key for them if no retry has it first.
    log("error", "dedup_store_failed", { trace_id: traceId, message_id: event.messageId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "dedup store unavailable" };
  }
  switch (owned.kind) {
    case "duplicate":
      return { kind: "answer", answer: fromStored(owned.answer), replay: true };
    case "conflict":
      return { kind: "problem", problem: { kind: "idempotency-key-reused" } };
    case "busy":
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1, detail: "A request with this idempotency key is still in progress; retry later." } };
    case "own":
      break;
  }
  for (const endpoint of event.filteredOut) ports.guard.noteFiltered(endpoint, event.rule.name);
  if (filtered) log("info", "event_filtered", { trace_id: traceId, message_id: event.messageId, route: event.rule.name });
  else noteBacklog(ports, event, event.copies);
  return { kind: "answer", answer, replay: false };
}
