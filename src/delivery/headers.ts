// The headers of a delivery to an endpoint (docs/contract.md §3), shared by sync calls and async attempts.
import { signStandardWebhook } from "../core/signatures";
import { formatTraceparent } from "../core/trace";
import { requestStartHeader } from "../core/request-start";

export interface DeliveryHeaderInput {
  messageId: string;
  eventType: string;
  source: string;
  traceId: string;
  /** Span id of this attempt (child of the ingress span). */
  spanId: string;
  idempotencyKey: string | null;
  contentType: string | null;
  mode: "sync" | "async";
  attempt: number;
  ordering: { key: string; sequence: number } | null;
  forwarded: readonly (readonly [string, string])[];
  signingSecrets: readonly string[];
  body: Uint8Array;
  nowMs: number;
  /** When the gateway received the event (ms since the epoch): `X-Request-Start` (docs/contract.md §7). */
  receivedAt: number;
}

export async function deliveryHeaders(input: DeliveryHeaderInput): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of input.forwarded) headers.set(name, value);
  const timestampS = Math.floor(input.nowMs / 1000);
  if (input.contentType !== null) headers.set("Content-Type", input.contentType);
  headers.set("webhook-id", input.messageId);
  headers.set("webhook-timestamp", String(timestampS));
  if (input.signingSecrets.length > 0) {
    headers.set("webhook-signature", await signStandardWebhook({ id: input.messageId, timestampS, body: input.body, secrets: input.signingSecrets }));
  }
  headers.set("X-Event-Type", input.eventType);
  headers.set("X-Gateway-Source", input.source);
  headers.set("X-Trace-Id", input.traceId);
  headers.set("traceparent", formatTraceparent(input.traceId, input.spanId));
  headers.set("X-Idempotency-Key", input.idempotencyKey ?? input.messageId);
  headers.set("X-Callback-Mode", input.mode);
  headers.set("X-Retry-Attempt", String(input.attempt));
  if (input.ordering !== null) {
    headers.set("X-Ordering-Key", input.ordering.key);
    headers.set("X-Sequence", String(input.ordering.sequence));
  }
  headers.set("X-Request-Start", requestStartHeader(input.receivedAt));
  headers.set("User-Agent", "Hookgate/1");
  return headers;
}
