// Async accept: hand the event durably to delivery (queue, or the ordering object for ordered
// routes) and answer 202 only after that; 503 when the hand-off failed, so the producer retries.
import type { Env } from "../env";
import { errorMessage, log } from "../log";
import { acceptedAnswer } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueEvent } from "./enqueue";
import type { DispatchOutcome } from "./dispatch";

export async function acceptAsync(env: Env, event: AcceptedEvent): Promise<DispatchOutcome> {
  try {
    await enqueueEvent(env, event);
  } catch (error) {
    log("error", "enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "enqueue failed" };
  }
  log("info", "ingress_accepted", {
    trace_id: event.trace.traceId, message_id: event.messageId, source: event.source.name, event_type: event.eventType,
    route: event.rule.name, endpoint: event.endpoint.name, mode: "async", bytes: event.body.byteLength,
  });
  return { kind: "answer", answer: acceptedAnswer(event.messageId, event.trace.traceId), replay: false };
}
