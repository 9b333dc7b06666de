// Async accept: hand the event durably to delivery (queue, or the ordering object for ordered
// routes) and answer 202 only after that; 503 when the hand-off failed, so the producer retries.
import type { Config } from "../config/load";
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";
import { acceptedAnswer, type DispatchOutcome } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueEvent } from "./enqueue";
import { acceptOrdered } from "./ordered";

export async function acceptAsync(ports: Ports, config: Config, event: AcceptedEvent): Promise<DispatchOutcome> {
  try {
    if (event.ordering !== null) await acceptOrdered(ports, config, event);
    else await enqueueEvent(ports, event);
  } catch (error) {
    log("error", "enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "enqueue failed" };
  }
  return { kind: "answer", answer: acceptedAnswer(event.messageId, event.trace.traceId), replay: false };
}
