// The isolate-side guard decisions issue 20's outage rows rest on (pure, time passed in): the
// half-open gate, which failures go to the object at once, and late successes at the object.
import { describe, expect, it } from "vitest";
import { HALF_OPEN_BUSY_RETRY_MS, type BreakerState } from "../../src/core/breaker";
import { arrivingEvent, type CallReport } from "../../src/core/endpoint-report";
import { atOnceShare, GUARD_AT_ONCE_PER_S, reportsAtOnce } from "../../src/core/guard-fanin";
import { admission, failureReportAtOnce, mayAskObject } from "../../src/core/guard-policy";

const CFG = { failureThreshold: 5, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 };
const T0 = 1_700_000_000_000;
const OPEN: BreakerState = { kind: "open", openedAt: T0, openForMs: 30_000, trips: 0 };
const HALF: BreakerState = { kind: "half_open", probesInFlight: 0, trips: 0 };
const CLOSED: BreakerState = { kind: "closed", consecutiveFailures: 0, window: [] };
const view = (breaker: BreakerState) => ({ breaker, othersInflight: 0, backlog: {} });
const admit = (breaker: BreakerState, now: number, halfOpen?: { lastAskAt: number | null; intervalMs: number; viewStale: boolean }) =>
  admission({ view: view(breaker), now, cfg: CFG, localInflight: 0, mode: "async", maxConcurrency: 100, ...(halfOpen === undefined ? {} : { halfOpen }) });

describe("half-open gate", () => {
  it("lets an isolate ask once per interval and turns its other deliveries away for HALF_OPEN_BUSY_RETRY_MS", () => {
    const now = T0 + 40_000;
    expect(admit(HALF, now, { lastAskAt: null, intervalMs: 5_000, viewStale: true })).toEqual({ kind: "ask_object" });
    expect(admit(HALF, now, { lastAskAt: now - 4_999, intervalMs: 5_000, viewStale: true })).toEqual({
      kind: "reject",
      reason: "circuit_open",
      retryInMs: HALF_OPEN_BUSY_RETRY_MS,
    });
    expect(admit(HALF, now, { lastAskAt: now - 5_000, intervalMs: 5_000, viewStale: true })).toEqual({ kind: "ask_object" });
  });

  it("asks only with a view due for refresh while the object spaces its callers, at once at a 1 s interval", () => {
    expect(mayAskObject({ lastAskAt: null, intervalMs: 5_000, viewStale: false }, T0)).toBe(false);
    expect(mayAskObject({ lastAskAt: null, intervalMs: 5_000, viewStale: true }, T0)).toBe(true);
    expect(mayAskObject({ lastAskAt: null, intervalMs: 1_000, viewStale: false }, T0)).toBe(true);
    expect(mayAskObject({ lastAskAt: T0 - 500, intervalMs: 1_000, viewStale: true }, T0)).toBe(false);
  });

  it("reads an open view past its half-open time as half-open, and an open one as open until then", () => {
    expect(admit(OPEN, T0 + 29_000, { lastAskAt: null, intervalMs: 5_000, viewStale: true })).toEqual({ kind: "reject", reason: "circuit_open", retryInMs: 1_000 });
    expect(admit(OPEN, T0 + 30_000, { lastAskAt: null, intervalMs: 5_000, viewStale: true })).toEqual({ kind: "ask_object" });
    // Without a gate (the model's "today") every call asks.
    expect(admit(HALF, T0)).toEqual({ kind: "ask_object" });
    expect(admit(CLOSED, T0, { lastAskAt: T0, intervalMs: 5_000, viewStale: false })).toEqual({ kind: "go" });
  });
});

describe("failure reports", () => {
  it("sends every failure at once at a 1 s interval, and from about 100 isolates a second beyond", () => {
    expect(atOnceShare(1_000)).toBe(1);
    expect(atOnceShare(5_000)).toBeCloseTo(0.05);
    // N isolates at the interval the object gives them (N ÷ 400 s) × the share ≈ 100.
    for (const n of [800, 2_000, 4_000]) expect(n * atOnceShare((n / 400) * 1_000)).toBeCloseTo(GUARD_AT_ONCE_PER_S);
    expect(reportsAtOnce(5_000, 0.049)).toBe(true);
    expect(reportsAtOnce(5_000, 0.05)).toBe(false);
  });

  it("rides on the next exchange once the isolate's own view has opened, or another report is on its way", () => {
    const closed = { local: CLOSED, urgentInFlight: false, intervalMs: 1_000, draw: 0.99 };
    expect(failureReportAtOnce(closed)).toBe(true);
    expect(failureReportAtOnce({ ...closed, local: OPEN })).toBe(false);
    expect(failureReportAtOnce({ ...closed, urgentInFlight: true })).toBe(false);
    expect(failureReportAtOnce({ ...closed, intervalMs: 5_000 })).toBe(false);
    expect(failureReportAtOnce({ ...closed, intervalMs: 5_000, draw: 0.01 })).toBe(true);
  });

  it("does not let a late success reset the failures counted after it", () => {
    const report = (breaker: CallReport["breaker"], at: number): CallReport => ({ route: "r", mode: "async", delivered: breaker === "success", breaker, latencyMs: 5, at });
    expect(arrivingEvent(report("success", T0 - 1), T0)).toBeUndefined();
    expect(arrivingEvent(report("success", T0), T0)).toEqual({ kind: "success" });
    expect(arrivingEvent(report("failure", T0 - 1), T0)).toEqual({ kind: "failure" });
    expect(arrivingEvent(report("neutral", T0), 0)).toBeUndefined();
  });
});
