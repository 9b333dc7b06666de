// Durable hand-off of an event to async delivery: claim-check the body to R2 when large, then send
// the v1 envelope to the route's queue. Throws when the hand-off did not happen (caller answers 503).
import type { Env } from "../env";
import { headerBytes, INLINE_BODY_LIMIT, type BodyRef, type Envelope, type FallbackReason } from "../core/envelope";
import { r2PayloadStore } from "../adapters/payload-store";
import { sendEnvelope } from "../adapters/queue";
import { noteAccepted } from "../adapters/endpoint-guard-client";
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
    policy: { matrix: [...event.rule.policy.matrix], max_attempts: event.rule.policy.maxAttempts },
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

export async function enqueueEvent(env: Env, event: AcceptedEvent, fallback: FallbackReason | null = null): Promise<Envelope> {
  const forwarded = forwardedHeaders(event.rule, event.headers);
  const store = r2PayloadStore(env.PAYLOADS);
  const body: BodyRef = needsClaimCheck(event.body.byteLength, forwarded)
    ? await store.put(event.messageId, event.body, event.contentType)
    : { kind: "inline", bytes: event.body };
  const envelope = buildEnvelope(event, body, fallback);
  // A failed send may still have reached the queue, so a claim-checked body is never deleted here;
  // orphans are removed by the bucket's lifecycle rule (see README, Deploy).
  await sendEnvelope(env, envelope);
  if (event.rule.max_backlog !== undefined) noteAccepted(event.endpoint.name, event.rule.name);
  return envelope;
}
