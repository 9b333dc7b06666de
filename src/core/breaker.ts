// Circuit breaker as a serialisable state machine (cockatiel-like): closed → open on consecutive
// failures or a failure rate, open → half_open after a doubling timeout, half_open → closed on a probe success.
// Pure: the Durable Object stores the state and passes `now` in.

export interface BreakerConfig {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  halfOpenMaxProbes: number;
  maxOpenMs?: number;
  failureRate?: { threshold: number; minCalls: number; window: number };
}

export type BreakerState =
  | { kind: "closed"; consecutiveFailures: number; window: readonly boolean[] }
  | { kind: "open"; openedAt: number; openForMs: number; trips: number }
  | { kind: "half_open"; probesInFlight: number; trips: number };

export type BreakerEvent = { kind: "success" } | { kind: "failure" } | { kind: "probe_started" } | { kind: "probe_abandoned" } | { kind: "reset" };

export type Admission = { kind: "allow" } | { kind: "probe" } | { kind: "reject"; retryInMs: number };

export const DEFAULT_MAX_OPEN_MS = 300_000;
/** How long a caller turned away from a half-open breaker (all probe slots taken) should wait. */
export const HALF_OPEN_BUSY_RETRY_MS = 1000;

export function initialBreaker(): BreakerState {
  return { kind: "closed", consecutiveFailures: 0, window: [] };
}

/**
 * How long the breaker stays open after its `trips`-th consecutive re-open: recoveryTimeoutMs × 2^trips,
 * capped at maxOpenMs (never capped below recoveryTimeoutMs itself).
 */
export function openDuration(trips: number, cfg: BreakerConfig): number {
  const cap = Math.max(cfg.maxOpenMs ?? DEFAULT_MAX_OPEN_MS, cfg.recoveryTimeoutMs);
  return Math.min(cfg.recoveryTimeoutMs * 2 ** trips, cap);
}

/** open → half_open once `now >= openedAt + openForMs`; every other state is returned as is. */
export function tick(state: BreakerState, now: number, _cfg: BreakerConfig): BreakerState {
  if (state.kind === "open" && now >= state.openedAt + state.openForMs) {
    return { kind: "half_open", probesInFlight: 0, trips: state.trips };
  }
  return state;
}

/**
 * Applies one event at `now` (after `tick`). Results that reach an open breaker, or a half-open one
 * with no probe in flight, come from calls started before it tripped and change nothing.
 */
export function transition(state: BreakerState, event: BreakerEvent, now: number, cfg: BreakerConfig): BreakerState {
  if (event.kind === "reset") return initialBreaker();
  const current = tick(state, now, cfg);
  switch (current.kind) {
    case "closed":
      return closedOn(current, event, now, cfg);
    case "open":
      return current;
    case "half_open":
      return halfOpenOn(current, event, now, cfg);
    default:
      return assertNever(current);
  }
}

type Closed = Extract<BreakerState, { kind: "closed" }>;
type HalfOpen = Extract<BreakerState, { kind: "half_open" }>;
type Outcome = Exclude<BreakerEvent, { kind: "reset" }>;

function closedOn(state: Closed, event: Outcome, now: number, cfg: BreakerConfig): BreakerState {
  switch (event.kind) {
    case "success":
      return { kind: "closed", consecutiveFailures: 0, window: record(state.window, false, cfg) };
    case "failure": {
      const consecutiveFailures = state.consecutiveFailures + 1;
      const window = record(state.window, true, cfg);
      if (consecutiveFailures >= cfg.failureThreshold || rateTripped(window, cfg)) {
        return { kind: "open", openedAt: now, openForMs: openDuration(0, cfg), trips: 0 };
      }
      return { kind: "closed", consecutiveFailures, window };
    }
    case "probe_started":
    case "probe_abandoned":
      return state;
    default:
      return assertNever(event);
  }
}

function halfOpenOn(state: HalfOpen, event: Outcome, now: number, cfg: BreakerConfig): BreakerState {
  switch (event.kind) {
    case "success":
      return state.probesInFlight > 0 ? initialBreaker() : state;
    case "failure": {
      if (state.probesInFlight === 0) return state;
      const trips = state.trips + 1;
      return { kind: "open", openedAt: now, openForMs: openDuration(trips, cfg), trips };
    }
    case "probe_started":
      return { ...state, probesInFlight: state.probesInFlight + 1 };
    case "probe_abandoned":
      return { ...state, probesInFlight: Math.max(0, state.probesInFlight - 1) };
    default:
      return assertNever(event);
  }
}

/** Appends an outcome to the failure-rate window, keeping only the last `failureRate.window`. */
function record(window: readonly boolean[], failed: boolean, cfg: BreakerConfig): readonly boolean[] {
  if (cfg.failureRate === undefined) return [];
  const size = Math.max(1, cfg.failureRate.window);
  return [...window, failed].slice(-size);
}

function rateTripped(window: readonly boolean[], cfg: BreakerConfig): boolean {
  const rate = cfg.failureRate;
  if (rate === undefined || window.length === 0 || window.length < rate.minCalls) return false;
  const failures = window.filter((failed) => failed).length;
  return failures / window.length >= rate.threshold;
}

/**
 * May a call go out at `now`? Closed: allow. Open and not yet due: reject until it is. Half-open with a
 * free probe slot: probe, and the returned state counts it. Otherwise reject for a short while.
 */
export function admit(state: BreakerState, now: number, cfg: BreakerConfig): { admission: Admission; state: BreakerState } {
  const current = tick(state, now, cfg);
  switch (current.kind) {
    case "closed":
      return { admission: { kind: "allow" }, state: current };
    case "open":
      return { admission: { kind: "reject", retryInMs: current.openedAt + current.openForMs - now }, state: current };
    case "half_open":
      if (current.probesInFlight < cfg.halfOpenMaxProbes) {
        return { admission: { kind: "probe" }, state: { ...current, probesInFlight: current.probesInFlight + 1 } };
      }
      return { admission: { kind: "reject", retryInMs: HALF_OPEN_BUSY_RETRY_MS }, state: current };
    default:
      return assertNever(current);
  }
}

/**
 * The breaker as the admin API shows it, at `now` (an open breaker past its timeout reads half_open).
 * `retry_in_ms` is set when a call would be rejected now; failures are only counted while closed.
 */
export function publicState(
  state: BreakerState,
  now: number,
  cfg: BreakerConfig,
): { state: "closed" | "open" | "half_open"; opened_at: string | null; retry_in_ms: number | null; consecutive_failures: number } {
  const { admission, state: current } = admit(state, now, cfg);
  const retry_in_ms = admission.kind === "reject" ? admission.retryInMs : null;
  switch (current.kind) {
    case "closed":
      return { state: "closed", opened_at: null, retry_in_ms, consecutive_failures: current.consecutiveFailures };
    case "open":
      return { state: "open", opened_at: new Date(current.openedAt).toISOString(), retry_in_ms, consecutive_failures: 0 };
    case "half_open":
      return { state: "half_open", opened_at: null, retry_in_ms, consecutive_failures: 0 };
    default:
      return assertNever(current);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled breaker case: ${JSON.stringify(value)}`);
}
