// What a caller reports about one call to an endpoint, and how it feeds the breaker.
import type { AttemptResult } from "./outcome";
import { isBreakerFailure } from "./outcome";
import type { BreakerEvent } from "./breaker";
import type { AttemptRecord } from "./attempt-log";

export interface CallReport {
  route: string;
  mode: "sync" | "async";
  /** 2xx from the endpoint. */
  delivered: boolean;
  /** How the breaker counts the call: failure, success, or not at all (408/429, blocked URL). */
  breaker: "success" | "failure" | "neutral";
  latencyMs: number;
  at: number;
  /** The HTTP status, or null when no answer came (quarantine on 410). */
  status?: number | null;
  /** The attempt log entry (docs/contract.md §7), when the caller knows the message. */
  record?: AttemptRecord;
}

export function breakerVerdict(result: AttemptResult): CallReport["breaker"] {
  if (isBreakerFailure(result)) return "failure";
  if (result.kind !== "response") return "neutral";
  if (result.status === 408 || result.status === 429) return "neutral";
  return "success";
}

export function breakerEvent(verdict: CallReport["breaker"]): BreakerEvent | undefined {
  if (verdict === "success") return { kind: "success" };
  if (verdict === "failure") return { kind: "failure" };
  return undefined;
}

/**
 * The breaker event of one report as the guard object applies it, given the time of the latest
 * failure it counted: a success from before that failure comes late (isolates send outcomes on
 * their interval) and must not reset the consecutive count other isolates' failures are building.
 */
export function arrivingEvent(report: CallReport, lastFailureAt: number): BreakerEvent | undefined {
  const event = breakerEvent(report.breaker);
  return event?.kind === "success" && report.at < lastFailureAt ? undefined : event;
}
