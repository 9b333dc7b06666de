// One async delivery attempt of an envelope through the send skeleton, and the decision that
// follows (delivered / retry / dead-letter / wait) from core/outcome.
import type { Config, Endpoint } from "../config/load";
import type { Envelope } from "../core/envelope";
import { decide, describeResult, type AttemptResult, type Decision } from "../core/outcome";
import { retryPolicy } from "../core/retry";
import type { Ports } from "../ports";
import { log, logSampled, sampleSuccess, spanFields } from "../log";
import { sendOnce } from "./send";
import { MISSING_SECRET_WAIT_MS } from "./signing-secrets";

/** Per-attempt timeout of async deliveries when the endpoint sets none. */
export const DEFAULT_ASYNC_TIMEOUT_MS = 15_000;

export interface AttemptOutcome {
  decision: Decision;
  /** The attempt number made (1-based), or the unchanged count when no call was made (wait). */
  attempt: number;
  lastStatus: number | null;
  lastError: string | null;
}

export function asyncTimeoutMs(endpoint: Endpoint): number {
  return endpoint.timeout_ms ?? DEFAULT_ASYNC_TIMEOUT_MS;
}

export async function attemptDelivery(ports: Ports, config: Config, endpoint: Endpoint, envelope: Envelope): Promise<AttemptOutcome> {
  const base = retryPolicy(envelope.policy.matrix, envelope.policy.max_attempts);
  const policy = envelope.policy.jitter === false ? { ...base, jitter: false } : base;
  const attempt = envelope.attempt + 1;
  const unchanged = { attempt: envelope.attempt, lastStatus: envelope.last_status, lastError: envelope.last_error };
  const sent = await sendOnce(ports, {
    endpoint,
    route: envelope.route,
    mode: "async",
    attempt,
    timeoutMs: asyncTimeoutMs(endpoint),
    allowPrivateNetworks: config.allowPrivateNetworks,
    maintenance: config,
    message: {
      messageId: envelope.id,
      eventType: envelope.event_type,
      source: envelope.source,
      traceId: envelope.trace_id,
      idempotencyKey: envelope.idempotency_key,
      contentType: envelope.content_type,
      ordering: envelope.ordering,
      forwarded: envelope.headers,
      receivedAt: envelope.received_at,
    },
    body: () => ports.payloads.get(envelope.body),
    wantsBody: () => false,
  });
  switch (sent.kind) {
    case "unsigned":
      // Never send unsigned what the endpoint expects signed: wait for the binding, spending no attempt.
      return { decision: { kind: "wait", delayMs: MISSING_SECRET_WAIT_MS }, ...unchanged, lastError: "signing secret bindings missing" };
    case "refused": {
      if (sent.reason === "quarantined") {
        // docs/contract.md §6: events waiting for a quarantined endpoint are dead-lettered, spending no attempt.
        log("warn", "delivery_quarantined", { trace_id: envelope.trace_id, message_id: envelope.id, endpoint: endpoint.name, route: envelope.route });
        return { decision: { kind: "dead_letter", reason: "quarantined" }, ...unchanged, lastError: "endpoint quarantined" };
      }
      // Open breaker, saturation or a pause: wait without spending an attempt.
      const result: AttemptResult = { kind: "breaker_open", retryInMs: sent.retryInMs };
      log("info", "delivery_waiting", { trace_id: envelope.trace_id, message_id: envelope.id, endpoint: endpoint.name, reason: sent.reason, retry_in_ms: sent.retryInMs });
      return { decision: decide({ result, attempt, policy, random: ports.clock.random }), ...unchanged };
    }
    case "payload_missing":
      return { decision: { kind: "dead_letter", reason: "exhausted" }, attempt, lastStatus: null, lastError: "payload missing from the claim-check store" };
    case "sent":
      break;
  }
  const decision = decide({ result: sent.result, attempt, policy, random: ports.clock.random });
  const described = describeResult(sent.result);
  const sample = sampleSuccess(decision.kind === "delivered", config.successLogSampleRate, ports.clock.random);
  logSampled(sample, decision.kind === "delivered" ? "info" : "warn", "delivery_attempt", {
    trace_id: envelope.trace_id,
    message_id: envelope.id,
    source: envelope.source,
    event_type: envelope.event_type,
    route: envelope.route,
    endpoint: endpoint.name,
    mode: "async",
    attempt,
    status: described.lastStatus,
    outcome: decision.kind,
    latency_ms: sent.latencyMs,
    error: decision.kind === "delivered" ? undefined : described.lastError,
    retry_in_ms: decision.kind === "retry" ? decision.delayMs : undefined,
    ordering_key: envelope.ordering?.key,
    sequence: envelope.ordering?.sequence,
    ...spanFields({
      name: "webhook.delivery",
      spanId: sent.spanId,
      parentSpanId: envelope.parent_span_id,
      eventType: envelope.event_type,
      endpoint: endpoint.name,
      attempt,
      ok: decision.kind === "delivered",
    }),
  });
  ports.metrics.delivery({
    route: envelope.route,
    endpoint: endpoint.name,
    mode: "async",
    outcome: decision.kind,
    status: described.lastStatus,
    latencyMs: sent.latencyMs,
    attempt,
  });
  return { decision, attempt, lastStatus: described.lastStatus, lastError: decision.kind === "delivered" ? null : described.lastError };
}
