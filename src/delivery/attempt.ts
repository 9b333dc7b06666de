// One async delivery attempt of an envelope: guard admission, body from the claim check, signed
// headers, the send, and the decision (delivered / retry / dead-letter / wait) from core/outcome.
import type { Env } from "../env";
import type { Config, Endpoint } from "../config/load";
import type { Envelope } from "../core/envelope";
import { spanId } from "../core/ids";
import { decide, describeResult, type AttemptResult, type Decision } from "../core/outcome";
import { retryPolicy } from "../core/retry";
import { admitCall } from "../adapters/endpoint-guard-client";
import { sendToEndpoint } from "../adapters/http-sender";
import { r2PayloadStore } from "../adapters/payload-store";
import type { Runtime } from "../runtime";
import { log, spanFields } from "../log";
import { deliveryHeaders } from "./headers";
import { MISSING_SECRET_WAIT_MS, signingSecrets } from "./signing-secrets";
import { writeDeliveryMetric } from "../adapters/metrics";

/** Per-attempt timeout of async deliveries when the endpoint sets none. */
export const DEFAULT_ASYNC_TIMEOUT_MS = 15_000;

export interface AttemptOutcome {
  decision: Decision;
  /** The attempt number made (1-based), or the unchanged count when no call was made (wait). */
  attempt: number;
  lastStatus: number | null;
  lastError: string | null;
}

export async function attemptDelivery(env: Env, config: Config, endpoint: Endpoint, envelope: Envelope, runtime: Runtime): Promise<AttemptOutcome> {
  const policy = retryPolicy(envelope.policy.matrix, envelope.policy.max_attempts);
  const attempt = envelope.attempt + 1;
  const timeoutMs = endpoint.timeout_ms ?? DEFAULT_ASYNC_TIMEOUT_MS;
  const clock = () => runtime.now();
  const secrets = signingSecrets(env, endpoint);
  if (!secrets.ok) {
    // Never send unsigned what the endpoint expects signed: wait for the binding, spending no attempt.
    return { decision: { kind: "wait", delayMs: MISSING_SECRET_WAIT_MS }, attempt: envelope.attempt, lastStatus: envelope.last_status, lastError: "signing secret bindings missing" };
  }
  const admission = await admitCall(env, endpoint, envelope.route, "async", timeoutMs, runtime);
  if (admission.kind === "reject") {
    const result: AttemptResult = { kind: "breaker_open", retryInMs: admission.retryInMs };
    log("info", "delivery_waiting", { trace_id: envelope.trace_id, message_id: envelope.id, endpoint: endpoint.name, reason: admission.reason, retry_in_ms: admission.retryInMs });
    return { decision: decide({ result, attempt, policy, random: runtime.random }), attempt: envelope.attempt, lastStatus: envelope.last_status, lastError: envelope.last_error };
  }
  const body = await r2PayloadStore(env.PAYLOADS).get(envelope.body);
  if (body === undefined) {
    await admission.lease.finish({ kind: "blocked_url", detail: "payload missing" }, 0);
    return { decision: { kind: "dead_letter", reason: "exhausted" }, attempt, lastStatus: null, lastError: "payload missing from the claim-check store" };
  }
  const span = spanId(runtime.randomBytes(8));
  const headers = await deliveryHeaders({
    messageId: envelope.id,
    eventType: envelope.event_type,
    source: envelope.source,
    traceId: envelope.trace_id,
    spanId: span,
    idempotencyKey: envelope.idempotency_key,
    contentType: envelope.content_type,
    mode: "async",
    attempt,
    ordering: envelope.ordering,
    forwarded: envelope.headers,
    signingSecrets: secrets.secrets,
    body,
    nowMs: runtime.now(),
  });
  const sent = await sendToEndpoint(
    { url: endpoint.url, allowPrivateNetworks: config.allowPrivateNetworks, headers, body, timeoutMs, nowMs: runtime.now() },
    clock,
  );
  await sent.response?.body?.cancel().catch(() => undefined);
  await admission.lease.finish(sent.result, sent.latencyMs);
  const decision = decide({ result: sent.result, attempt, policy, random: runtime.random });
  const described = describeResult(sent.result);
  log(decision.kind === "delivered" ? "info" : "warn", "delivery_attempt", {
    trace_id: envelope.trace_id, message_id: envelope.id, source: envelope.source, event_type: envelope.event_type,
    route: envelope.route, endpoint: endpoint.name, mode: "async", attempt, status: described.lastStatus,
    outcome: decision.kind, latency_ms: sent.latencyMs, error: decision.kind === "delivered" ? undefined : described.lastError,
    retry_in_ms: decision.kind === "retry" ? decision.delayMs : undefined, ordering_key: envelope.ordering?.key, sequence: envelope.ordering?.sequence,
    ...spanFields({ name: "webhook.delivery", spanId: span, parentSpanId: envelope.parent_span_id, eventType: envelope.event_type, endpoint: endpoint.name, attempt, ok: decision.kind === "delivered" }),
  });
  writeDeliveryMetric(env, { route: envelope.route, endpoint: endpoint.name, mode: "async", outcome: decision.kind, status: described.lastStatus, latencyMs: sent.latencyMs, attempt });
  return { decision, attempt, lastStatus: described.lastStatus, lastError: decision.kind === "delivered" ? null : described.lastError };
}
