// Records each sync-to-async fallback in the fallback store so operators can reconcile them
// (GET /admin/fallbacks), and its final state once the consumer delivers or dead-letters it. A failed
// write is logged, never thrown: the event itself is already queued, delivered or dead-lettered.
import type { Envelope, FallbackReason } from "../core/envelope";
import type { FallbackStore } from "../ports/storage";
import { errorMessage, log } from "../log";
import type { AcceptedEvent } from "./event";

export async function recordFallback(deps: { fallbacks: FallbackStore }, event: AcceptedEvent, reason: FallbackReason): Promise<void> {
  try {
    await deps.fallbacks.record({
      id: event.messageId,
      trace_id: event.trace.traceId,
      source: event.source.name,
      event_type: event.eventType,
      route: event.rule.name,
      endpoint: event.endpoint.name,
      reason,
      at: event.receivedAt,
    });
  } catch (error) {
    log("error", "fallback_record_failed", { trace_id: event.trace.traceId, message_id: event.messageId, error: errorMessage(error) });
  }
}

/** Records where a fallback's event ended (a no-op for events that were not fallbacks); logged, never thrown. */
export async function settleFallback(deps: { fallbacks: FallbackStore }, envelope: Envelope, state: "delivered" | "dead_lettered", at: number): Promise<void> {
  if (envelope.fallback === null) return;
  try {
    await deps.fallbacks.settle(envelope.id, state, at);
  } catch (error) {
    log("error", "fallback_settle_failed", { trace_id: envelope.trace_id, message_id: envelope.id, state, error: errorMessage(error) });
  }
}
