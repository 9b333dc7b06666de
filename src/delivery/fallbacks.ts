// Records each sync-to-async fallback in D1 so operators can reconcile them (GET /admin/fallbacks).
import type { Env } from "../env";
import type { FallbackReason } from "../core/envelope";
import { errorMessage, log } from "../log";
import type { AcceptedEvent } from "./event";

export async function recordFallback(env: Env, event: AcceptedEvent, reason: FallbackReason): Promise<void> {
  try {
    await env.DB.prepare(
      "INSERT INTO fallbacks (id, trace_id, source, event_type, route, endpoint, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
    ).bind(event.messageId, event.trace.traceId, event.source.name, event.eventType, event.rule.name, event.endpoint.name, reason, event.receivedAt).run();
  } catch (error) {
    log("error", "fallback_record_failed", { trace_id: event.trace.traceId, message_id: event.messageId, error: errorMessage(error) });
  }
}
