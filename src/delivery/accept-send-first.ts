// Queued async accept with dedup: reserve the key (shard memory, no row: a duplicate waits and is
// answered without being enqueued), send the copies carrying their owner check, then own the key with
// the 202 in one row (no `complete`). The consumer delivers only the owner's copies (docs/dedup.md).
import type { Ports } from "../ports";
import type { ClaimResult } from "../ports/idempotency";
import { errorMessage, log } from "../log";
import { acceptedAnswer, filteredAnswer, fromStored, toStored, type DispatchOutcome } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueCopies, noteBacklog } from "./enqueue";

export interface SendFirstKey {
  keyHash: string;
  key: string;
  bodyHash: string;
  windowMs: number;
  /** How long a reservation holds the key if this request never comes back. */
  leaseMs: number;
  /** How long to wait for another request holding the key to answer. */
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
  const owner = event.messageId;
  const store = ports.idempotency;
  if (!filtered) {
    let reserved;
    try {
      reserved = await store.reserve({ keyHash: k.keyHash, key: k.key, bodyHash: k.bodyHash, owner, leaseMs: k.leaseMs, waitMs: k.waitMs });
    } catch (error) {
      log("error", "dedup_store_failed", { trace_id: traceId, error: errorMessage(error) });
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "dedup store unavailable" };
    }
    if (reserved.kind !== "new") return notOwned(reserved);
    try {
      await enqueueCopies(ports, event, event.copies, null, { key: k.key, key_hash: k.keyHash, body_hash: k.bodyHash, window_ms: k.windowMs, answer: stored });
    } catch (error) {
      // The key goes back: the producer's retry starts afresh (a copy that did reach the queue is
      // delivered or dropped by its owner check, whichever request then owns the key).
      log("error", "enqueue_failed", { trace_id: traceId, message_id: owner, route: event.rule.name, error: errorMessage(error) });
      ports.background.waitUntil(store.unreserve(k.keyHash, k.key, owner).catch(() => undefined));
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "enqueue failed" };
    }
  }
  let owned;
  try {
    owned = await store.own({ keyHash: k.keyHash, key: k.key, bodyHash: k.bodyHash, owner, answer: stored, windowMs: k.windowMs, waitMs: k.waitMs });
  } catch (error) {
    // The copies are queued: their consumer takes the key for them if no retry has it first (and a
    // retry that does gets its copies delivered instead: one object decides, docs/dedup.md).
    log("error", "dedup_store_failed", { trace_id: traceId, message_id: owner, error: errorMessage(error) });
    if (!filtered) ports.background.waitUntil(store.unreserve(k.keyHash, k.key, owner).catch(() => undefined));
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "dedup store unavailable" };
  }
  if (owned.kind !== "own") return notOwned(owned);
  for (const endpoint of event.filteredOut) ports.guard.noteFiltered(endpoint, event.rule.name);
  if (filtered) log("info", "event_filtered", { trace_id: traceId, message_id: event.messageId, route: event.rule.name });
  else noteBacklog(ports, event, event.copies);
  return { kind: "answer", answer, replay: false };
}

/** The answer of a request that did not get the key: the owner's stored answer, 409, or 503 while it is held. */
function notOwned(result: Exclude<ClaimResult, { kind: "new" }>): DispatchOutcome {
  switch (result.kind) {
    case "duplicate":
      return { kind: "answer", answer: fromStored(result.answer), replay: true };
    case "conflict":
      return { kind: "problem", problem: { kind: "idempotency-key-reused" } };
    case "busy":
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1, detail: "A request with this idempotency key is still in progress; retry later." } };
  }
}
