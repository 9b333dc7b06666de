// Sync route: call the endpoint through the send skeleton under the route's timeout, pass its answer
// back, or on timeout / network error / 5xx / 3xx / open breaker / shedding fall back to async delivery.
import type { Config } from "../config/load";
import type { FallbackReason } from "../core/envelope";
import type { Problem } from "../core/problems";
import { describeResult, type AttemptResult } from "../core/outcome";
import type { Ports } from "../ports";
import { errorMessage, log, logSampled, sampleSuccess, spanFields } from "../log";
import { acceptedAnswer, type Answer, type DispatchOutcome } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueCopies } from "./enqueue";
import { forwardedHeaders } from "./event";
import { isPassThrough, sendOnce } from "./send";
import { recordFallback } from "./fallbacks";

export async function callSync(ports: Ports, config: Config, event: AcceptedEvent): Promise<DispatchOutcome> {
  const { rule, endpoint } = event;
  const sent = await sendOnce(ports, {
    endpoint,
    route: rule.name,
    mode: "sync",
    attempt: 1,
    timeoutMs: rule.effectiveTimeoutMs,
    allowPrivateNetworks: config.allowPrivateNetworks,
    maintenance: config,
    message: {
      messageId: event.messageId,
      eventType: event.eventType,
      source: event.source.name,
      traceId: event.trace.traceId,
      idempotencyKey: event.idempotencyKey,
      contentType: event.contentType,
      ordering: null,
      forwarded: forwardedHeaders(rule, event.headers),
      receivedAt: event.receivedAt,
    },
    body: event.body,
    // A 5xx is passed through (status and body) when there is no fallback, so its body is read too.
    wantsBody: (result) => isPassThrough(result) || (isServerError(result) && rule.fallback === "none"),
  });
  switch (sent.kind) {
    case "unsigned":
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 30 }, reason: "signing secret bindings missing" };
    case "payload_missing":
      return { kind: "problem", problem: { kind: "internal" }, reason: "sync body missing" };
    case "refused": {
      const retryAfterS = Math.max(1, Math.ceil(sent.retryInMs / 1000));
      if (sent.reason === "circuit_open") return fallbackOr(ports, event, "circuit_open", { kind: "circuit-open", retryAfterS });
      if (sent.reason === "paused") return fallbackOr(ports, event, "paused", { kind: "endpoint-paused" });
      if (sent.reason === "quarantined") return fallbackOr(ports, event, "quarantined", { kind: "endpoint-quarantined" });
      return fallbackOr(ports, event, "shed", { kind: "overloaded", retryAfterS });
    }
    case "sent":
      break;
  }
  const { result, response, body, latencyMs } = sent;
  const failure = !isPassThrough(result);
  const described = describeResult(result);
  logSampled(sampleSuccess(!failure, config.successLogSampleRate, ports.clock.random), "info", "sync_call", {
    trace_id: event.trace.traceId,
    message_id: event.messageId,
    source: event.source.name,
    event_type: event.eventType,
    route: rule.name,
    endpoint: endpoint.name,
    mode: "sync",
    attempt: 1,
    status: described.lastStatus,
    outcome: failure ? "failed" : "answered",
    latency_ms: latencyMs,
    error: failure ? described.lastError : undefined,
    ...spanFields({
      name: "webhook.sync_call",
      spanId: sent.spanId,
      parentSpanId: event.trace.spanId,
      eventType: event.eventType,
      endpoint: endpoint.name,
      attempt: 1,
      ok: !failure,
    }),
  });
  ports.metrics.delivery({
    route: rule.name,
    endpoint: endpoint.name,
    mode: "sync",
    outcome: failure ? "failed" : "answered",
    status: described.lastStatus,
    latencyMs,
    attempt: 1,
  });
  const latencyHeader = { "X-Downstream-Latency": String(Math.round(latencyMs)), "X-Trace-Id": event.trace.traceId, "X-Message-Id": event.messageId };
  switch (result.kind) {
    case "response": {
      if (!failure && body !== null) {
        const answer: Answer = { status: result.status, headers: { ...passedHeaders(response, result), ...latencyHeader }, body };
        return { kind: "answer", answer, replay: false };
      }
      if (isServerError(result) && rule.fallback === "none" && response !== null) {
        const answer: Answer = { status: result.status, headers: { ...passedHeaders(response, result), ...latencyHeader }, body: body ?? new Uint8Array(0) };
        return { kind: "answer", answer, replay: false, keep: false };
      }
      return fallbackOr(ports, event, "upstream_error", { kind: "upstream-error", detail: `The endpoint answered ${result.status}.` }, latencyHeader);
    }
    case "timeout":
      return fallbackOr(ports, event, "timeout", { kind: "upstream-timeout", timeoutMs: rule.effectiveTimeoutMs }, latencyHeader);
    case "network_error":
      return fallbackOr(ports, event, "upstream_error", { kind: "upstream-error", detail: "The endpoint could not be reached." }, latencyHeader);
    case "blocked_url":
      return { kind: "problem", problem: { kind: "upstream-error", detail: "The endpoint URL is not allowed." }, reason: result.detail };
    case "breaker_open":
      return fallbackOr(ports, event, "circuit_open", { kind: "circuit-open", retryAfterS: Math.max(1, Math.ceil(result.retryInMs / 1000)) });
  }
}

function isServerError(result: AttemptResult): boolean {
  return result.kind === "response" && result.status >= 500 && result.status <= 599;
}

/**
 * The endpoint's headers a passed-through answer keeps: Content-Type, and its Retry-After when valid.
 * A 429 or 503 always carries one (1 s when the endpoint gave none), like every 429/503 of the gateway.
 */
function passedHeaders(response: Response | null, result: { status: number; retryAfterMs?: number }): Record<string, string> {
  const headers: Record<string, string> = {};
  const contentType = response?.headers.get("Content-Type");
  if (contentType) headers["Content-Type"] = contentType;
  const retryAfter = response?.headers.get("Retry-After");
  if (retryAfter && result.retryAfterMs !== undefined) headers["Retry-After"] = retryAfter.trim();
  else if (result.status === 429 || result.status === 503) headers["Retry-After"] = "1";
  return headers;
}

async function fallbackOr(ports: Ports, event: AcceptedEvent, reason: FallbackReason, problem: Problem, extraHeaders: Record<string, string> = {}): Promise<DispatchOutcome> {
  if (event.rule.fallback !== "async_dlq") return { kind: "problem", problem, reason };
  try {
    await enqueueCopies(ports, event, [event.endpoint], reason);
  } catch (error) {
    log("error", "fallback_enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "fallback enqueue failed" };
  }
  log("warn", "sync_to_async_fallback", {
    trace_id: event.trace.traceId,
    message_id: event.messageId,
    source: event.source.name,
    event_type: event.eventType,
    route: event.rule.name,
    endpoint: event.endpoint.name,
    fallback: reason,
  });
  ports.background.waitUntil(recordFallback(ports, event, reason));
  const answer = acceptedAnswer(event.messageId, event.trace.traceId, [event.endpoint.name, ...event.copies.map((e) => e.name)], reason);
  const downstream = extraHeaders["X-Downstream-Latency"];
  if (downstream !== undefined) answer.headers["X-Downstream-Latency"] = downstream;
  return { kind: "answer", answer, replay: false };
}
