// A gateway answer as data: what the producer gets, what the dedup store keeps to replay it, and
// what a use case hands back to the ingress (an answer, or a problem).
import type { Problem } from "../core/problems";
import type { ClaimResult, StoredAnswer } from "../ports/idempotency";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export type DispatchOutcome = { kind: "answer"; answer: Answer; replay: boolean; keep?: boolean } | { kind: "problem"; problem: Problem; reason?: string };

/** The largest body kept for replaying a sync answer; larger bodies are replayed truncated (documented). */
export const MAX_STORED_BODY_BYTES = 512 * 1024;

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function toResponse(answer: Answer, extraHeaders: Record<string, string> = {}): Response {
  const body = answer.status === 204 || answer.status === 304 ? null : answer.body;
  return new Response(body, { status: answer.status, headers: { ...answer.headers, ...extraHeaders } });
}

export function toStored(answer: Answer): StoredAnswer {
  if (typeof answer.body === "string") return { status: answer.status, headers: answer.headers, body: answer.body, body_encoding: "utf8" };
  const bytes = answer.body.byteLength > MAX_STORED_BODY_BYTES ? answer.body.subarray(0, MAX_STORED_BODY_BYTES) : answer.body;
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { status: answer.status, headers: answer.headers, body: btoa(binary), body_encoding: "base64" };
}

export function fromStored(stored: StoredAnswer): Answer {
  if (stored.body_encoding === "utf8") return { status: stored.status, headers: stored.headers, body: stored.body };
  const binary = atob(stored.body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { status: stored.status, headers: stored.headers, body: bytes };
}

/**
 * The 202 of an event handed to async delivery (docs/contract.md §2, §5): `destinations` are the
 * endpoints that will receive it asynchronously; `fallback` when a sync call fell back to async.
 */
export function acceptedAnswer(messageId: string, traceId: string, destinations: readonly string[], fallback?: string): Answer {
  const body: Record<string, unknown> = { id: messageId, trace_id: traceId, mode: "async", status: "queued", destinations };
  const headers: Record<string, string> = { "X-Message-Id": messageId, "X-Trace-Id": traceId };
  if (fallback !== undefined) {
    body["fallback"] = fallback;
    headers["X-Fallback"] = "async";
  }
  return jsonAnswer(202, body, headers);
}

/** Every destination's filter left the event out: nothing is delivered (docs/contract.md §5). */
export function filteredAnswer(messageId: string, traceId: string): Answer {
  const body = { id: messageId, trace_id: traceId, mode: "async", status: "filtered", destinations: [] };
  return jsonAnswer(202, body, { "X-Message-Id": messageId, "X-Trace-Id": traceId });
}

/** The answer of a request whose key another request has: that request's stored answer, 409, or 503 while it runs. */
export function keyHeldAnswer(result: Exclude<ClaimResult, { kind: "new" }>): DispatchOutcome {
  if (result.kind === "duplicate") return { kind: "answer", answer: fromStored(result.answer), replay: true };
  if (result.kind === "conflict") return { kind: "problem", problem: { kind: "idempotency-key-reused" } };
  return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1, detail: "A request with this idempotency key is still in progress; retry later." } };
}
