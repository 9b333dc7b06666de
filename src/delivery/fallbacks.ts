// Records each sync-to-async fallback in the fallback store so operators can reconcile them
// (GET /admin/fallbacks). A failed record is logged, never thrown: the event itself is already queued.
import type { FallbackReason } from "../core/envelope";
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
