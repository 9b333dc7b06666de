// The isolate-side guard policy, pure: from the guard object's cached view (one interval old at most)
// and the isolate's own counts, whether a call may go, must probe, or is turned away (open, shed,
// saturated), whether a failure is reported at once, and whether ingress applies backpressure.
import { HALF_OPEN_BUSY_RETRY_MS, tick, transition, type BreakerConfig, type BreakerState } from "./breaker";
import { MIN_FLUSH_INTERVAL_MS, reportsAtOnce } from "./guard-fanin";
import { breakerEvent, type CallReport } from "./endpoint-report";
import { pausedWaitMs, type Lifecycle } from "./lifecycle";

/** How long a quarantined endpoint's sync callers are told to wait (Retry-After, docs/contract.md §6). */
export const QUARANTINE_RETRY_MS = 300_000;

/** Sync calls are shed at or above this share of max_concurrency (the source document's 80 %). */
export const SHED_RATIO = 0.8;

/** What the policy reads of the guard object's view. */
export interface ViewFacts {
  breaker: BreakerState;
  othersInflight: number;
  backlog: Readonly<Record<string, number>>;
  /** Absent in a view from an object built before lifecycles: active. */
  lifecycle?: Lifecycle;
}

export type Admission =
  | { kind: "go" }
  /** Half-open: only the object may grant a probe. */
  | { kind: "ask_object" }
  | { kind: "reject"; reason: "circuit_open" | "shed" | "saturated" | "paused" | "quarantined"; retryInMs: number };

/**
 * How one isolate meets a half-open breaker: it asks the object for a probe at most once per
 * `intervalMs` (`lastAskAt`: its last ask), and while the object spaces its callers (interval above
 * 1 s) only when its view is due for a refresh, so the ask is that refresh: the isolates' asks then
 * spread over the interval like their refreshes and add no calls. Its other deliveries meanwhile are
 * turned away as by an open breaker, for HALF_OPEN_BUSY_RETRY_MS.
 */
export interface HalfOpenGate {
  lastAskAt: number | null;
  intervalMs: number;
  viewStale: boolean;
}

/** Without a gate every call may ask (the object still grants only `half_open_max_probes`). */
const UNGATED: HalfOpenGate = { lastAskAt: null, intervalMs: 0, viewStale: true };

/** Whether the gate lets this call ask the object now. */
export function mayAskObject(gate: HalfOpenGate, now: number): boolean {
  if (gate.lastAskAt !== null && now - gate.lastAskAt < gate.intervalMs) return false;
  return gate.intervalMs <= MIN_FLUSH_INTERVAL_MS || gate.viewStale;
}

/**
 * One call's admission. Without any view yet (the object never answered) the call goes: the
 * endpoint's own errors still protect it.
 */
export function admission(args: {
  view: ViewFacts | null;
  now: number;
  cfg: BreakerConfig;
  localInflight: number;
  mode: "sync" | "async";
  maxConcurrency: number;
  halfOpen?: HalfOpenGate;
}): Admission {
  const { view, now, cfg, mode } = args;
  const gate = args.halfOpen ?? UNGATED;
  const life = view?.lifecycle;
  // A paused or quarantined endpoint receives nothing, probes included.
  if (life?.state === "paused") return { kind: "reject", reason: "paused", retryInMs: pausedWaitMs(life.pausedAt, now) };
  if (life?.state === "quarantined") return { kind: "reject", reason: "quarantined", retryInMs: QUARANTINE_RETRY_MS };
  const state: BreakerState = view === null ? { kind: "closed", consecutiveFailures: 0, window: [] } : tick(view.breaker, now, cfg);
  if (state.kind === "open") return { kind: "reject", reason: "circuit_open", retryInMs: Math.max(1, state.openedAt + state.openForMs - now) };
  if (state.kind === "half_open") {
    return mayAskObject(gate, now) ? { kind: "ask_object" } : { kind: "reject", reason: "circuit_open", retryInMs: HALF_OPEN_BUSY_RETRY_MS };
  }
  const total = args.localInflight + (view?.othersInflight ?? 0);
  if (mode === "sync" && total >= SHED_RATIO * args.maxConcurrency) return { kind: "reject", reason: "shed", retryInMs: 1_000 };
  if (mode === "async" && total >= args.maxConcurrency) return { kind: "reject", reason: "saturated", retryInMs: 1_000 };
  return { kind: "go" };
}

export type BackpressureVerdict = { ok: true } | { ok: false; retryAfterS: number; detail: string };

/** Ingress backpressure for a route with `max_backlog` or `shed_when_open`. */
export function backpressure(args: {
  view: ViewFacts | null;
  now: number;
  cfg: BreakerConfig;
  route: string;
  /** Accepted by this isolate since its last exchange with the object. */
  localAccepted: number;
  maxBacklog: number | undefined;
  shedWhenOpen: boolean;
}): BackpressureVerdict {
  const { view, now } = args;
  if (view === null) return { ok: true };
  if (args.shedWhenOpen) {
    const state = tick(view.breaker, now, args.cfg);
    if (state.kind === "open") {
      const retryAfterS = Math.max(1, Math.ceil((state.openedAt + state.openForMs - now) / 1000));
      return { ok: false, retryAfterS, detail: "The route's endpoint is unavailable; retry later." };
    }
  }
  if (args.maxBacklog !== undefined) {
    const backlog = (view.backlog[args.route] ?? 0) + args.localAccepted;
    if (backlog >= args.maxBacklog) return { ok: false, retryAfterS: 5, detail: "The route's delivery backlog is full; retry later." };
  }
  return { ok: true };
}

/**
 * Whether a failed call's report goes to the object at once or rides on the isolate's next
 * exchange (within one interval). At once only while the isolate's own view (`local`, as the call
 * ended, before this report) is still closed — the failure that opens it goes, the ones after it
 * ride — no other failure report of its own is on its way, and it is one of the isolates reporting
 * at once this interval (core/guard-fanin reportsAtOnce: all of them up to 400, ~100 a second beyond).
 * Callers stop within `failure_threshold` failures either way: the local view trips by itself.
 */
export function failureReportAtOnce(args: { local: BreakerState | null; urgentInFlight: boolean; intervalMs: number; draw: number }): boolean {
  if (args.urgentInFlight) return false;
  if (args.local !== null && args.local.kind !== "closed") return false;
  return reportsAtOnce(args.intervalMs, args.draw);
}

/** The isolate's cached breaker after one of its own calls ended (the object decides for real). */
export function afterReport(breaker: BreakerState, report: CallReport, cfg: BreakerConfig): BreakerState {
  const event = breakerEvent(report.breaker);
  return event === undefined ? breaker : transition(breaker, event, report.at, cfg);
}
