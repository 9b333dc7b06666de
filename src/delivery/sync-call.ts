// Sync route: call the endpoint under the breaker and the route's timeout, pass its answer back,
// or on timeout / network error / 5xx / 3xx / open breaker / shedding fall back to async delivery.
import type { Env } from "../env";
import type { Config } from "../config/load";
import type { FallbackReason } from "../core/envelope";
import { spanId } from "../core/ids";
import type { Problem } from "../core/problems";
import type { AttemptResult } from "../core/outcome";
import { describeResult } from "../core/outcome";
import { admitCall } from "../adapters/endpoint-guard-client";
import { sendToEndpoint } from "../adapters/http-sender";
import type { Background, Runtime } from "../runtime";
import { errorMessage, log, spanFields } from "../log";
import { acceptedAnswer, type Answer } from "./answer";
import type { AcceptedEvent } from "./event";
import { enqueueEvent } from "./enqueue";
import { forwardedHeaders } from "./event";
import { deliveryHeaders } from "./headers";
import { signingSecrets } from "./signing-secrets";
import { writeDeliveryMetric } from "../adapters/metrics";
import type { DispatchOutcome } from "./dispatch";
import { recordFallback } from "./fallbacks";

export async function callSync(env: Env, ctx: Background, config: Config, event: AcceptedEvent, runtime: Runtime): Promise<DispatchOutcome> {
  const { rule, endpoint } = event;
  const clock = () => runtime.now();
  const secrets = signingSecrets(env, endpoint);
  if (!secrets.ok) return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 30 }, reason: "signing secret bindings missing" };
  const decision = await admitCall(env, endpoint, rule.name, "sync", rule.effectiveTimeoutMs, runtime, ctx);
  if (decision.kind === "reject") {
    const retryAfterS = Math.max(1, Math.ceil(decision.retryInMs / 1000));
    if (decision.reason === "circuit_open") return fallbackOr(env, ctx, event, "circuit_open", { kind: "circuit-open", retryAfterS });
    return fallbackOr(env, ctx, event, "shed", { kind: "overloaded", retryAfterS });
  }
  const span = spanId(runtime.randomBytes(8));
  const headers = await deliveryHeaders({
    messageId: event.messageId,
    eventType: event.eventType,
    source: event.source.name,
    traceId: event.trace.traceId,
    spanId: span,
    idempotencyKey: event.idempotencyKey,
    contentType: event.contentType,
    mode: "sync",
    attempt: 1,
    ordering: null,
    forwarded: forwardedHeaders(rule, event.headers),
    signingSecrets: secrets.secrets,
    body: event.body,
    nowMs: runtime.now(),
  });
  const sent = await sendToEndpoint(
    { url: endpoint.url, allowPrivateNetworks: config.allowPrivateNetworks, headers, body: event.body, timeoutMs: rule.effectiveTimeoutMs, nowMs: runtime.now() },
    clock,
  );
  const { result, response, latencyMs } = sent;
  let body: Uint8Array | null = null;
  // A 5xx is passed through (status and body) when there is no fallback, so its body is read too.
  const serverError = result.kind === "response" && result.status >= 500 && result.status <= 599;
  if (response !== null && (isPassThrough(result) || (serverError && rule.fallback === "none"))) {
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      log("warn", "sync_body_read_failed", { trace_id: event.trace.traceId, error: errorMessage(error) });
    }
  } else {
    await response?.body?.cancel().catch(() => undefined);
  }
  const effective: AttemptResult = response !== null && isPassThrough(result) && body === null ? { kind: "network_error", message: "body read failed" } : result;
  const finished = decision.lease.finish(effective, latencyMs);
  const failure = !isPassThrough(effective);
  if (failure || decision.lease.probe) await finished;
  else ctx.waitUntil(finished);

  const described = describeResult(effective);
  log("info", "sync_call", {
    trace_id: event.trace.traceId, message_id: event.messageId, source: event.source.name, event_type: event.eventType,
    route: rule.name, endpoint: endpoint.name, mode: "sync", attempt: 1, status: described.lastStatus, outcome: failure ? "failed" : "answered",
    latency_ms: latencyMs, error: failure ? described.lastError : undefined,
    ...spanFields({ name: "webhook.sync_call", spanId: span, parentSpanId: event.trace.spanId, eventType: event.eventType, endpoint: endpoint.name, attempt: 1, ok: !failure }),
  });
  writeDeliveryMetric(env, { route: rule.name, endpoint: endpoint.name, mode: "sync", outcome: failure ? "failed" : "answered", status: described.lastStatus, latencyMs, attempt: 1 });
  const latencyHeader = { "X-Downstream-Latency": String(Math.round(latencyMs)), "X-Trace-Id": event.trace.traceId, "X-Message-Id": event.messageId };
  switch (effective.kind) {
    case "response": {
      if (!failure && body !== null) {
        const answer: Answer = { status: effective.status, headers: { ...passedHeaders(response, effective), ...latencyHeader }, body };
        return { kind: "answer", answer, replay: false };
      }
      if (effective.status >= 500 && effective.status <= 599 && rule.fallback === "none" && response !== null) {
        const passBody = body ?? new Uint8Array(0);
        return { kind: "answer", answer: { status: effective.status, headers: { ...passedHeaders(response, effective), ...latencyHeader }, body: passBody }, replay: false, keep: false };
      }
      return fallbackOr(env, ctx, event, "upstream_error", { kind: "upstream-error", detail: `The endpoint answered ${effective.status}.` }, latencyHeader);
    }
    case "timeout":
      return fallbackOr(env, ctx, event, "timeout", { kind: "upstream-timeout", timeoutMs: rule.effectiveTimeoutMs }, latencyHeader);
    case "network_error":
      return fallbackOr(env, ctx, event, "upstream_error", { kind: "upstream-error", detail: "The endpoint could not be reached." }, latencyHeader);
    case "blocked_url":
      return { kind: "problem", problem: { kind: "upstream-error", detail: "The endpoint URL is not allowed." }, reason: effective.detail };
    case "breaker_open":
      return fallbackOr(env, ctx, event, "circuit_open", { kind: "circuit-open", retryAfterS: Math.max(1, Math.ceil(effective.retryInMs / 1000)) });
  }
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

/** 2xx and 4xx are the endpoint's answer; 1xx/3xx/5xx, timeouts and network errors are failures. */
function isPassThrough(result: AttemptResult): boolean {
  return result.kind === "response" && result.status >= 200 && result.status < 500 && !(result.status >= 300 && result.status < 400);
}

async function fallbackOr(
  env: Env,
  ctx: Background,
  event: AcceptedEvent,
  reason: FallbackReason,
  problem: Problem,
  extraHeaders: Record<string, string> = {},
): Promise<DispatchOutcome> {
  if (event.rule.fallback !== "async_dlq") {
    return { kind: "problem", problem, reason };
  }
  try {
    await enqueueEvent(env, event, reason);
  } catch (error) {
    log("error", "fallback_enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "fallback enqueue failed" };
  }
  log("warn", "sync_to_async_fallback", {
    trace_id: event.trace.traceId, message_id: event.messageId, source: event.source.name, event_type: event.eventType,
    route: event.rule.name, endpoint: event.endpoint.name, fallback: reason,
  });
  ctx.waitUntil(recordFallback(env, event, reason));
  const answer = acceptedAnswer(event.messageId, event.trace.traceId, reason);
  const downstream = extraHeaders["X-Downstream-Latency"];
  if (downstream !== undefined) answer.headers["X-Downstream-Latency"] = downstream;
  return { kind: "answer", answer, replay: false };
}
