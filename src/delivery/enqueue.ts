// Durable hand-off of an event to async delivery: claim-check the body to R2 when large, then send
// the v1 envelope to the route's queue. Throws when the hand-off did not happen (caller answers 503).
import { headerBytes, INLINE_BODY_LIMIT, type BodyRef, type Envelope, type FallbackReason, type OwnerCheckField } from "../core/envelope";
import type { Endpoint } from "../config/load";
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

/**
 * The event's body as its envelopes carry it: inline, or claim-checked once to the payload store and
 * referenced by every copy (the copies travel in one batch, so their inline bodies add up).
 */
export async function bodyRef(ports: Pick<Ports, "payloads">, event: AcceptedEvent, copies = 1): Promise<BodyRef> {
  const forwarded = forwardedHeaders(event.rule, event.headers);
  return needsClaimCheck(event.body.byteLength * copies, forwarded) ? ports.payloads.put(event.messageId, event.body, event.contentType) : { kind: "inline", bytes: event.body };
}

/**
 * Hands one copy of the event per target endpoint to the route's queue, in one batch send (never N
 * serial sends on the request path). Throws when the hand-off did not happen (the caller answers 503).
 * `ownerCheck`: sent before the key is claimed (send first, docs/dedup.md); the copies carry what the
 * consumer needs to check their owner, and the caller counts the backlog once the key is its own.
 */
export async function enqueueCopies(
  ports: Pick<Ports, "payloads" | "queue" | "guard">,
  event: AcceptedEvent,
  targets: readonly Endpoint[],
  fallback: FallbackReason | null = null,
  ownerCheck: OwnerCheckField | null = null,
): Promise<void> {
  if (targets.length === 0) return;
  const body = await bodyRef(ports, event, targets.length);
  const fanout = event.rule.destinations.length > 1;
  if (fanout && body.kind === "r2")
    await ports.payloads.share(
      body.key,
      targets.map((t) => t.name),
    );
  const envelopes = targets.map((target) => ({
    ...buildEnvelope(event, body, fallback),
    endpoint: target.name,
    ...(fanout ? { fanout } : {}),
    ...(ownerCheck !== null ? { dedup: ownerCheck } : {}),
  }));
  // A failed send may still have reached the queue, so a claim-checked body is never deleted here;
  // orphans are removed by the bucket's lifecycle rule (see README, Deploy).
  if (envelopes.length === 1 && envelopes[0] !== undefined) await ports.queue.send(envelopes[0]);
  else await ports.queue.sendBatch(envelopes);
  if (ownerCheck === null) noteBacklog(ports, event, targets);
}

/** Events accepted on a route with `max_backlog` count towards it until delivered or dead-lettered. */
export function noteBacklog(ports: Pick<Ports, "guard">, event: AcceptedEvent, targets: readonly Endpoint[]): void {
  if (event.rule.max_backlog !== undefined) for (const target of targets) ports.guard.noteAccepted(target.name, event.rule.name);
}
