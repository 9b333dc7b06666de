// The one send skeleton of sync calls and async attempts: admit (endpoint guard) → signed headers →
// send → report the outcome to the guard. Callers classify what came back (pass-through or fallback
// for sync, core/outcome.decide for async) and log it.
import type { Endpoint } from "../config/load";
import type { AttemptResult } from "../core/outcome";
import { spanId } from "../core/ids";
import type { Ports } from "../ports";
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
  | { kind: "refused"; reason: "circuit_open" | "shed" | "saturated"; retryInMs: number }
  /** The claim-checked body is gone: nothing was sent. */
  | { kind: "payload_missing" }
  | { kind: "sent"; result: AttemptResult; response: Response | null; body: Uint8Array | null; latencyMs: number; spanId: string };

export async function sendOnce(ports: Ports, req: SendRequest): Promise<SendOutcome> {
  const { clock } = ports;
  const secrets = signingSecrets(ports.secrets, req.endpoint, clock.now());
  if (!secrets.ok) return { kind: "unsigned" };
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
  if (sent.response !== null && req.wantsBody(result)) {
    try {
      responseBody = new Uint8Array(await sent.response.arrayBuffer());
    } catch (error) {
      log("warn", "response_body_read_failed", { message_id: req.message.messageId, endpoint: req.endpoint.name, error: errorMessage(error) });
      // An answer whose body never arrived is no answer (a failure keeps its status, with no body).
      if (passThrough) result = { kind: "network_error", message: "body read failed" };
    }
  } else {
    await sent.response?.body?.cancel().catch(() => undefined);
  }
  const reported = lease.finish(result, sent.latencyMs);
  // Failures and probe results must reach the object before the caller moves on (other isolates
  // learn of a trip from it); a healthy sync call's report may finish after the response.
  if (req.mode === "async" || !isPassThrough(result) || lease.probe) await reported;
  else ports.background.waitUntil(reported);
  return { kind: "sent", result, response: sent.response, body: responseBody, latencyMs: sent.latencyMs, spanId: span };
}

/** 2xx and 4xx are the endpoint's answer; 1xx/3xx/5xx, timeouts and network errors are failures. */
export function isPassThrough(result: AttemptResult): boolean {
  return result.kind === "response" && result.status >= 200 && result.status < 500 && !(result.status >= 300 && result.status < 400);
}
