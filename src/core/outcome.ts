// One classifier for the result of a delivery attempt (docs/contract.md §3): delivered, retried,
// dead-lettered or left waiting for the breaker. Unknown outcomes retry; nothing is acked silently.

import type { DeadLetterReason } from "./dead-letter";
import { nextDelay, type RetryPolicy } from "./retry";

export type AttemptResult =
  | { kind: "response"; status: number; retryAfterMs?: number }
  | { kind: "timeout" }
  | { kind: "network_error"; message: string }
  | { kind: "blocked_url"; detail: string }
  | { kind: "breaker_open"; retryInMs: number };

export type Decision =
  { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "dead_letter"; reason: Exclude<DeadLetterReason, "malformed"> } | { kind: "wait"; delayMs: number }; // breaker open: does not spend an attempt

export type OutcomeClass = "success" | "retryable" | "final" | "blocked" | "wait";

/** The shortest wait while a breaker is open, so a due breaker is not polled in a busy loop. */
export const MIN_BREAKER_WAIT_MS = 1000;

type Verdict =
  { kind: "success" } | { kind: "retryable"; retryAfterMs?: number } | { kind: "final"; reason: "rejected" | "gone" } | { kind: "blocked" } | { kind: "wait"; delayMs: number };

type StatusClass = "2xx" | "3xx" | "4xx" | "5xx" | "other";

function statusClass(status: number): StatusClass {
  if (!Number.isInteger(status)) return "other";
  if (status >= 200 && status <= 299) return "2xx";
  if (status >= 300 && status <= 399) return "3xx";
  if (status >= 400 && status <= 499) return "4xx";
  if (status >= 500 && status <= 599) return "5xx";
  return "other";
}

/** 408 and 429 are the endpoint asking to be called again later, not a refusal of the event. */
function isRetryable4xx(status: number): boolean {
  return status === 408 || status === 429;
}

function verdictOf(result: AttemptResult): Verdict {
  switch (result.kind) {
    case "response":
      return verdictOfStatus(result.status, result.retryAfterMs);
    case "timeout":
    case "network_error":
      return { kind: "retryable" };
    case "blocked_url":
      return { kind: "blocked" };
    case "breaker_open":
      return { kind: "wait", delayMs: Math.max(MIN_BREAKER_WAIT_MS, Math.ceil(result.retryInMs) || 0) };
    default:
      return assertNever(result);
  }
}

function verdictOfStatus(status: number, retryAfterMs: number | undefined): Verdict {
  const cls = statusClass(status);
  switch (cls) {
    case "2xx":
      return { kind: "success" };
    case "4xx":
      if (status === 410) return { kind: "final", reason: "gone" };
      if (!isRetryable4xx(status)) return { kind: "final", reason: "rejected" };
      return { kind: "retryable", retryAfterMs };
    case "3xx": // redirects are never followed
    case "5xx":
    case "other": // 1xx or a code outside HTTP's range: something is wrong, try again
      return { kind: "retryable", retryAfterMs };
    default:
      return assertNever(cls);
  }
}

export function classify(result: AttemptResult): OutcomeClass {
  return verdictOf(result).kind;
}

/** What to do with the event after the 1-based `attempt` ended with `result`. */
export function decide(args: { result: AttemptResult; attempt: number; policy: RetryPolicy; random: () => number }): Decision {
  const verdict = verdictOf(args.result);
  switch (verdict.kind) {
    case "success":
      return { kind: "delivered" };
    case "final":
      return { kind: "dead_letter", reason: verdict.reason };
    case "blocked":
      return { kind: "dead_letter", reason: "blocked_url" };
    case "wait":
      return { kind: "wait", delayMs: verdict.delayMs };
    case "retryable": {
      const step = nextDelay({
        attempt: args.attempt,
        policy: args.policy,
        random: args.random,
        retryAfterMs: verdict.retryAfterMs,
      });
      return step.kind === "retry" ? { kind: "retry", delayMs: step.delayMs } : { kind: "dead_letter", reason: "exhausted" };
    }
    default:
      return assertNever(verdict);
  }
}

/**
 * Whether the result counts against the endpoint's breaker: timeouts, network errors, 3xx, 5xx and
 * codes outside HTTP's range do; 2xx and 4xx (408 and 429 included: the endpoint is up and answering)
 * do not, nor a blocked URL or an open breaker (no call was made).
 */
export function isBreakerFailure(result: AttemptResult): boolean {
  switch (result.kind) {
    case "response": {
      const cls = statusClass(result.status);
      return cls !== "2xx" && cls !== "4xx";
    }
    case "timeout":
    case "network_error":
      return true;
    case "blocked_url":
    case "breaker_open":
      return false;
    default:
      return assertNever(result);
  }
}

/** The `last_status` / `last_error` pair stored with a dead letter. */
export function describeResult(result: AttemptResult): { lastStatus: number | null; lastError: string } {
  switch (result.kind) {
    case "response":
      return { lastStatus: result.status, lastError: `HTTP ${result.status}` };
    case "timeout":
      return { lastStatus: null, lastError: "timeout" };
    case "network_error":
      return { lastStatus: null, lastError: `network error: ${result.message}` };
    case "blocked_url":
      return { lastStatus: null, lastError: `blocked url: ${result.detail}` };
    case "breaker_open":
      return { lastStatus: null, lastError: `circuit open: retry in ${result.retryInMs} ms` };
    default:
      return assertNever(result);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled attempt outcome: ${JSON.stringify(value)}`);
}
