// Durable hand-off of an event to async delivery: claim-check the body to R2 when large, then send
// the v1 envelope to the route's queue. Throws when the hand-off did not happen (caller answers 503).
import { headerBytes, INLINE_BODY_LIMIT, type BodyRef, type Envelope, type FallbackReason } from "../core/envelope";
import type { Ports } from "../ports";
import { forwardedHeaders, type AcceptedEvent } from "./event";

export function buildEnvelope(event: AcceptedEvent, body: BodyRef, fallback: FallbackReason | null): Envelope {
  return {
    v: 1,
    id: event.messageId,
    trace_id: event.trace.traceId,
    parent_span_id: event.trace.spanId,
    source: event.source.name,
    event_type: event.eventType,
    route: event.rule.name,
    endpoint: event.endpoint.name,
    queue: event.rule.queue,
    idempotency_key: event.idempotencyKey,
    content_type: event.contentType,
    headers: forwardedHeaders(event.rule, event.headers),
    body,
    received_at: event.receivedAt,
    attempt: 0,
    policy: { matrix: [...event.rule.policy.matrix], max_attempts: event.rule.policy.maxAttempts, ...(event.rule.policy.jitter === false ? { jitter: false } : {}) },
    last_status: null,
    last_error: null,
    fallback,
    replay_count: 0,
    ordering: null,
  };
}

/** Whether a body must travel by reference rather than inline in the queue message. */
export function needsClaimCheck(bodyBytes: number, headers: readonly (readonly [string, string])[]): boolean {
  return bodyBytes > INLINE_BODY_LIMIT || headerBytes(headers) + bodyBytes > INLINE_BODY_LIMIT + 16 * 1024;
}

/** The event's body as an envelope carries it: inline, or claim-checked to the payload store. */
export async function bodyRef(ports: Pick<Ports, "payloads">, event: AcceptedEvent): Promise<BodyRef> {
  const forwarded = forwardedHeaders(event.rule, event.headers);
  return needsClaimCheck(event.body.byteLength, forwarded) ? ports.payloads.put(event.messageId, event.body, event.contentType) : { kind: "inline", bytes: event.body };
}

export async function enqueueEvent(ports: Pick<Ports, "payloads" | "queue" | "guard">, event: AcceptedEvent, fallback: FallbackReason | null = null): Promise<Envelope> {
  const envelope = buildEnvelope(event, await bodyRef(ports, event), fallback);
  // A failed send may still have reached the queue, so a claim-checked body is never deleted here;
  // orphans are removed by the bucket's lifecycle rule (see README, Deploy).
  await ports.queue.send(envelope);
  if (event.rule.max_backlog !== undefined) ports.guard.noteAccepted(event.endpoint.name, event.rule.name);
  return envelope;
}
