// Queued async accept with dedup: reserve the key (shard memory, no row: a duplicate waits and is
// answered without being enqueued), send the copies carrying their owner check, answer 202, and own
// the key with the 202 in one row (deferred like a `complete`, no row of its own). The consumer
// delivers only the owner's copies (docs/dedup.md).
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";
import { acceptedAnswer, filteredAnswer, keyHeldAnswer, toStored, type DispatchOutcome } from "./answer";
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
  const unavailable = (reason: string): DispatchOutcome => ({ kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason });
  let reserved;
  try {
    reserved = await store.reserve({ keyHash: k.keyHash, key: k.key, bodyHash: k.bodyHash, owner, leaseMs: k.leaseMs, waitMs: k.waitMs });
  } catch (error) {
    log("error", "dedup_store_failed", { trace_id: traceId, error: errorMessage(error) });
    return unavailable("dedup store unavailable");
  }
  if (reserved.kind !== "new") return keyHeldAnswer(reserved);
  try {
    // Filtered out everywhere: nothing to send, only the answer to keep.
    if (!filtered) await enqueueCopies(ports, event, event.copies, null, { key: k.key, key_hash: k.keyHash, body_hash: k.bodyHash, window_ms: k.windowMs, answer: stored });
  } catch (error) {
    // The key goes back: the producer's retry starts afresh (a copy that did reach the queue is
    // delivered or dropped by its owner check, whichever request then owns the key).
    log("error", "enqueue_failed", { trace_id: traceId, message_id: owner, route: event.rule.name, error: errorMessage(error) });
    ports.background.waitUntil(store.unreserve(k.keyHash, k.key, owner).catch(() => undefined));
    return unavailable("enqueue failed");
  }
  // The row rides on this isolate's next reserve or claim to the shard, or goes in one call within
  // DEFER_MS (adapters/idempotency-store). Until it is stored, the reservation holds duplicates; if
  // it never is (the Worker or the call dies), the consumer's owner check writes it for this message.
  ports.background.waitUntil(
    store
      .complete(k.keyHash, k.key, stored, true, { owner, bodyHash: k.bodyHash, windowMs: k.windowMs })
      .catch((error: unknown) => log("error", "dedup_settle_failed", { trace_id: traceId, message_id: owner, error: errorMessage(error) })),
  );
  if (filtered) log("info", "event_filtered", { trace_id: traceId, message_id: owner, route: event.rule.name });
  else noteBacklog(ports, event, event.copies);
  for (const endpoint of event.filteredOut) ports.guard.noteFiltered(endpoint, event.rule.name);
  return { kind: "answer", answer, replay: false };
}
