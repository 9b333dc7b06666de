// Records each sync-to-async fallback in the fallback store so operators can reconcile them
// (GET /admin/fallbacks). A failed record is logged, never thrown: the event itself is already queued.
import type { Env } from "../env";
import type { FallbackReason } from "../core/envelope";
import type { FallbackStore } from "../ports/storage";
import { d1FallbackStore } from "../adapters/d1/fallbacks";
import { errorMessage, log } from "../log";
import type { AcceptedEvent } from "./event";

export async function recordFallbackIn(deps: { fallbacks: FallbackStore }, event: AcceptedEvent, reason: FallbackReason): Promise<void> {
  try {
    await deps.fallbacks.record({
      id: event.messageId, trace_id: event.trace.traceId, source: event.source.name, event_type: event.eventType,
      route: event.rule.name, endpoint: event.endpoint.name, reason, at: event.receivedAt,
    });
  } catch (error) {
    log("error", "fallback_record_failed", { trace_id: event.trace.traceId, message_id: event.messageId, error: errorMessage(error) });
  }
}

/**
 * Transitional, for delivery/sync-call.ts until it is given the ports object: call
 * `recordFallbackIn(ports, …)` there and delete this (and the adapter import above).
 */
export async function recordFallback(env: Env, event: AcceptedEvent, reason: FallbackReason): Promise<void> {
  await recordFallbackIn({ fallbacks: d1FallbackStore(env.DB) }, event, reason);
}
