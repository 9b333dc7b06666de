// The one send skeleton of sync calls and async attempts: admit (endpoint guard) → signed headers →
// send → report the outcome to the guard. Callers classify what came back (pass-through or fallback
// for sync, core/outcome.decide for async) and log it.
import { maintenancePaused, type MaintenanceWindow } from "../core/maintenance";
import type { Endpoint } from "../config/load";
import { describeResult, type AttemptResult } from "../core/outcome";
import { EXCERPT_BYTES, excerptOf, outcomeName, type AttemptRecord } from "../core/attempt-log";
import { spanId } from "../core/ids";
import type { Ports } from "../ports";
import type { RejectReason } from "../ports/guard";
import { errorMessage, log } from "../log";
import { deliveryHeaders, type DeliveryHeaderInput } from "./headers";
import { signingSecrets } from "./signing-secrets";

export interface SendRequest {
  endpoint: Endpoint;
  route: string;
  mode: "sync" | "async";
  attempt: number;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** The maintenance windows in force (docs/contract.md §8): one with `pause_delivery` pauses the endpoint. */
  maintenance: { maintenanceWindows: readonly MaintenanceWindow[] };
  /** The delivery headers' facts (docs/contract.md §3) except what the skeleton adds (span, secrets, body, time). */
  message: Omit<DeliveryHeaderInput, "spanId" | "signingSecrets" | "body" | "nowMs" | "mode" | "attempt">;
  /** The body bytes, or how to load them once admitted (the claim check); undefined when gone. */
  body: Uint8Array | (() => Promise<Uint8Array | undefined>);
  /** Whether the caller needs the response body of this result (read before the outcome is reported). */
  wantsBody(result: AttemptResult): boolean;
}

export type SendOutcome =
  /** The endpoint signs but none of its signing secrets is bound: nothing was sent. */
  | { kind: "unsigned" }
  /** The guard turned the call away (open breaker, shedding, saturation): nothing was sent. */
  | { kind: "refused"; reason: RejectReason; retryInMs: number }
  /** The claim-checked body is gone: nothing was sent. */
  | { kind: "payload_missing" }
  | { kind: "sent"; result: AttemptResult; response: Response | null; body: Uint8Array | null; latencyMs: number; spanId: string };

/** How soon an event held by a maintenance window looks again. */
const MAINTENANCE_RECHECK_MS = 60_000;

export async function sendOnce(ports: Ports, req: SendRequest): Promise<SendOutcome> {
  const { clock } = ports;
  const secrets = signingSecrets(ports.secrets, req.endpoint, clock.now());
  if (!secrets.ok) return { kind: "unsigned" };
  // A maintenance window with pause_delivery holds the endpoint like an operator's pause.
  if (maintenancePaused(req.maintenance, req.endpoint.name, clock.now())) return { kind: "refused", reason: "paused", retryInMs: MAINTENANCE_RECHECK_MS };
  const decision = await ports.guard.admit(req.endpoint, req.route, req.mode, req.timeoutMs);
  if (decision.kind === "reject") return { kind: "refused", reason: decision.reason, retryInMs: decision.retryInMs };
  const lease = decision.lease;
  const body =
    typeof req.body === "function"
      ? await req.body().catch((error: unknown) => {
          lease.cancel();
          throw error;
        })
      : req.body;
  if (body === undefined) {
    lease.cancel();
    return { kind: "payload_missing" };
  }
  const startedAt = clock.now();
  const span = spanId(clock.randomBytes(8));
  const headers = await deliveryHeaders({
    ...req.message,
    mode: req.mode,
    attempt: req.attempt,
    spanId: span,
    signingSecrets: secrets.secrets,
    body,
    nowMs: clock.now(),
  });
  const sent = await ports.http.send({
    url: req.endpoint.url,
    allowPrivateNetworks: req.allowPrivateNetworks,
    headers,
    body,
    timeoutMs: req.timeoutMs,
    nowMs: clock.now(),
  });
  let result = sent.result;
  const passThrough = isPassThrough(result);
  let responseBody: Uint8Array | null = null;
  let head: { bytes: Uint8Array; truncated: boolean } | null = null;
  if (sent.response !== null && req.wantsBody(result)) {
    try {
      responseBody = new Uint8Array(await sent.response.arrayBuffer());
    } catch (error) {
      log("warn", "response_body_read_failed", { message_id: req.message.messageId, endpoint: req.endpoint.name, error: errorMessage(error) });
      // An answer whose body never arrived is no answer (a failure keeps its status, with no body).
      if (passThrough) result = { kind: "network_error", message: "body read failed" };
    }
  } else if (sent.response !== null) {
    // The attempt log keeps the answer's first KiB; the rest is never read.
    head = await readHead(sent.response, EXCERPT_BYTES);
  }
  const reported = lease.finish(result, sent.latencyMs, attemptRecord(req, result, responseBody !== null ? { bytes: responseBody, truncated: false } : head, startedAt));
  // Failures and probe results must reach the object before the caller moves on (other isolates
  // learn of a trip from it); a healthy sync call's report may finish after the response.
  if (req.mode === "async" || !isPassThrough(result) || lease.probe) await reported;
  else ports.background.waitUntil(reported);
  return { kind: "sent", result, response: sent.response, body: responseBody, latencyMs: sent.latencyMs, spanId: span };
}

function attemptRecord(req: SendRequest, result: AttemptResult, body: { bytes: Uint8Array; truncated: boolean } | null, startedAt: number): AttemptRecord {
  const outcome = outcomeName(result);
  const { excerpt, encoding } = excerptOf(body?.bytes ?? null, body?.truncated ?? false);
  return {
    messageId: req.message.messageId,
    source: req.message.source,
    eventType: req.message.eventType,
    attempt: req.attempt,
    status: result.kind === "response" ? result.status : null,
    outcome,
    error: outcome === "delivered" ? null : describeResult(result).lastError,
    excerpt,
    excerptEncoding: encoding,
    lagMs: startedAt - req.message.receivedAt,
  };
}

/** Up to `limit` bytes of a response body (a bounded read; the stream is cancelled after). */
async function readHead(response: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  try {
    while (size < limit) {
      const next = await reader.read();
      if (next.done) {
        ended = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } catch {
    // An answer cut short keeps what arrived.
  }
  if (!ended) await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, truncated: !ended };
}

/** 2xx and 4xx are the endpoint's answer; 1xx/3xx/5xx, timeouts and network errors are failures. */
export function isPassThrough(result: AttemptResult): boolean {
  return result.kind === "response" && result.status >= 200 && result.status < 500 && !(result.status >= 300 && result.status < 400);
}
