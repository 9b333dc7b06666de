// Async accept: hand one copy of the event per destination durably to delivery (one queue batch, or
// each destination's ordering stream for ordered routes) and answer 202 only after that; 503 when the
// hand-off failed, so the producer retries. No destination left after the filters: 202 "filtered".
import type { Config } from "../config/load";
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";
import { acceptedAnswer, filteredAnswer, type DispatchOutcome } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueCopies } from "./enqueue";
import { acceptOrdered } from "./ordered";

export async function acceptAsync(ports: Ports, config: Config, event: AcceptedEvent): Promise<DispatchOutcome> {
  if (event.copies.length === 0) {
    log("info", "event_filtered", { trace_id: event.trace.traceId, message_id: event.messageId, route: event.rule.name });
    return { kind: "answer", answer: filteredAnswer(event.messageId, event.trace.traceId), replay: false };
  }
  try {
    if (event.ordering !== null) await acceptOrdered(ports, config, event, event.copies);
    else await enqueueCopies(ports, event, event.copies);
  } catch (error) {
    log("error", "enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "enqueue failed" };
  }
  const destinations = event.copies.map((e) => e.name);
  return { kind: "answer", answer: acceptedAnswer(event.messageId, event.trace.traceId, destinations), replay: false };
}
