// The breaker state machine on a fake clock: trips, recovery, probes, doubling and its cap, the rate window.
import { describe, expect, it } from "vitest";
import { admit, initialBreaker, openDuration, publicState, tick, transition, type BreakerConfig, type BreakerEvent, type BreakerState } from "../../src/core/breaker";

const cfg: BreakerConfig = { failureThreshold: 3, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 };
const T0 = Date.UTC(2024, 0, 1);
const success: BreakerEvent = { kind: "success" };
const failure: BreakerEvent = { kind: "failure" };

function apply(state: BreakerState, events: readonly BreakerEvent[], now: number, config = cfg): BreakerState {
  return events.reduce((s, e) => transition(s, e, now, config), state);
}
const failures = (n: number): BreakerEvent[] => Array.from({ length: n }, () => failure);

/** An open breaker, tripped at T0 by consecutive failures. */
function tripped(config = cfg): BreakerState {
  return apply(initialBreaker(), failures(config.failureThreshold), T0, config);
}

/** Takes a probe slot at `now`, as the Durable Object does before a call. */
function probe(state: BreakerState, now: number, config = cfg): BreakerState {
  const { admission, state: next } = admit(state, now, config);
  expect(admission).toEqual({ kind: "probe" });
  return next;
}

describe("closed", () => {
  it("starts closed with no failures", () => {
    expect(initialBreaker()).toEqual({ kind: "closed", consecutiveFailures: 0, window: [] });
  });

  it("allows calls", () => {
    expect(admit(initialBreaker(), T0, cfg).admission).toEqual({ kind: "allow" });
  });

  it("counts consecutive failures below the threshold and stays closed", () => {
    expect(apply(initialBreaker(), failures(2), T0)).toMatchObject({ kind: "closed", consecutiveFailures: 2 });
  });

  it("opens after failureThreshold consecutive failures, for recoveryTimeoutMs", () => {
    expect(tripped()).toEqual({ kind: "open", openedAt: T0, openForMs: 30_000, trips: 0 });
  });

  it("resets the failure count on a success", () => {
    const state = apply(initialBreaker(), [failure, failure, success, failure, failure], T0);
    expect(state).toMatchObject({ kind: "closed", consecutiveFailures: 2 });
  });

  it("ignores probe bookkeeping events", () => {
    const state = apply(initialBreaker(), [{ kind: "probe_started" }, { kind: "probe_abandoned" }], T0);
    expect(state).toEqual(initialBreaker());
  });

  it("keeps no window when no failure rate is configured", () => {
    expect(apply(initialBreaker(), [success, failure, success], T0)).toEqual({ kind: "closed", consecutiveFailures: 0, window: [] });
  });
});

describe("failure-rate window", () => {
  const rated: BreakerConfig = { ...cfg, failureThreshold: 100, failureRate: { threshold: 0.5, minCalls: 4, window: 4 } };

  it("does not open before the window holds minCalls outcomes", () => {
    expect(apply(initialBreaker(), [failure, success, failure], T0, rated)).toMatchObject({ kind: "closed", window: [true, false, true] });
  });

  it("opens when the failure share over the window reaches the threshold", () => {
    const state = apply(initialBreaker(), [failure, success, success, failure], T0, rated);
    expect(state).toEqual({ kind: "open", openedAt: T0, openForMs: 30_000, trips: 0 });
  });

  it("keeps only the last `window` outcomes, so old failures age out", () => {
    const state = apply(initialBreaker(), [failure, success, success, success, success, failure], T0, rated);
    expect(state).toEqual({ kind: "closed", consecutiveFailures: 1, window: [false, false, false, true] });
  });

  it("stays closed while the share is below the threshold", () => {
    const state = apply(initialBreaker(), [success, success, failure, success, success, success, failure], T0, rated);
    expect(state).toEqual({ kind: "closed", consecutiveFailures: 1, window: [false, false, false, true] });
  });

  it("still opens on consecutive failures when the rate alone would not", () => {
    const both: BreakerConfig = { ...cfg, failureThreshold: 3, failureRate: { threshold: 0.9, minCalls: 20, window: 20 } };
    expect(apply(initialBreaker(), [success, ...failures(3)], T0, both)).toMatchObject({ kind: "open" });
  });
});

describe("open", () => {
  it("rejects calls with the time left until half-open", () => {
    expect(admit(tripped(), T0 + 10_000, cfg)).toEqual({ admission: { kind: "reject", retryInMs: 20_000 }, state: tripped() });
  });

  it("ignores successes and failures of calls that were in flight when it tripped", () => {
    expect(apply(tripped(), [success, failure, failure], T0 + 1000)).toEqual(tripped());
  });

  it("stays open until exactly openedAt + openForMs", () => {
    expect(tick(tripped(), T0 + 29_999, cfg)).toEqual(tripped());
    expect(tick(tripped(), T0 + 30_000, cfg)).toEqual({ kind: "half_open", probesInFlight: 0, trips: 0 });
  });

  it("closes on reset", () => {
    expect(transition(tripped(), { kind: "reset" }, T0, cfg)).toEqual(initialBreaker());
  });
});

describe("half_open", () => {
  const due = T0 + 30_000;

  it("admits a probe once the open time has passed and counts it", () => {
    expect(admit(tripped(), due, cfg)).toEqual({ admission: { kind: "probe" }, state: { kind: "half_open", probesInFlight: 1, trips: 0 } });
  });

  it("admits no more than halfOpenMaxProbes concurrent probes", () => {
    const three: BreakerConfig = { ...cfg, halfOpenMaxProbes: 3 };
    let state = tripped(three);
    for (let i = 0; i < 3; i++) state = probe(state, due, three);
    expect(admit(state, due, three)).toEqual({ admission: { kind: "reject", retryInMs: 1000 }, state: { kind: "half_open", probesInFlight: 3, trips: 0 } });
  });

  it("frees a probe slot when a probe is abandoned", () => {
    const busy = probe(tripped(), due);
    const freed = transition(busy, { kind: "probe_abandoned" }, due, cfg);
    expect(freed).toEqual({ kind: "half_open", probesInFlight: 0, trips: 0 });
    expect(admit(freed, due, cfg).admission).toEqual({ kind: "probe" });
    expect(transition(freed, { kind: "probe_abandoned" }, due, cfg)).toEqual(freed);
  });

  it("counts a probe_started event on a breaker that has become due", () => {
    expect(transition(tripped(), { kind: "probe_started" }, due, cfg)).toEqual({ kind: "half_open", probesInFlight: 1, trips: 0 });
  });

  it("closes with clean counters when a probe succeeds", () => {
    expect(transition(probe(tripped(), due), success, due + 50, cfg)).toEqual(initialBreaker());
  });

  it("re-opens with double the open time when a probe fails", () => {
    const state = transition(probe(tripped(), due), failure, due + 50, cfg);
    expect(state).toEqual({ kind: "open", openedAt: due + 50, openForMs: 60_000, trips: 1 });
  });

  it("keeps doubling on each consecutive failed probe until the 5-minute cap", () => {
    let state = tripped();
    let now = T0;
    const openTimes: number[] = [];
    for (let i = 0; i < 6; i++) {
      if (state.kind !== "open") throw new Error("expected open");
      openTimes.push(state.openForMs);
      now = state.openedAt + state.openForMs;
      state = transition(probe(state, now), failure, now, cfg);
    }
    expect(openTimes).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it("starts again from recoveryTimeoutMs after a probe success", () => {
    let state = transition(probe(tripped(), due), failure, due, cfg); // open for 60 s, trips 1
    state = transition(probe(state, due + 60_000), success, due + 60_000, cfg);
    state = apply(state, failures(3), due + 70_000);
    expect(state).toEqual({ kind: "open", openedAt: due + 70_000, openForMs: 30_000, trips: 0 });
  });

  it("ignores a result when no probe is in flight: it comes from before the trip", () => {
    expect(apply(tripped(), [success], due)).toEqual({ kind: "half_open", probesInFlight: 0, trips: 0 });
    expect(apply(tripped(), [failure], due)).toEqual({ kind: "half_open", probesInFlight: 0, trips: 0 });
  });

  it("closes on reset", () => {
    expect(transition(probe(tripped(), due), { kind: "reset" }, due, cfg)).toEqual(initialBreaker());
  });
});

describe("openDuration", () => {
  it("honours a configured maxOpenMs", () => {
    const short: BreakerConfig = { ...cfg, maxOpenMs: 45_000 };
    expect([0, 1, 2].map((trips) => openDuration(trips, short))).toEqual([30_000, 45_000, 45_000]);
  });

  it("never shortens the first open below recoveryTimeoutMs", () => {
    expect(openDuration(0, { ...cfg, recoveryTimeoutMs: 600_000 })).toBe(600_000);
    expect(openDuration(3, { ...cfg, recoveryTimeoutMs: 600_000 })).toBe(600_000);
  });

  it("stays finite after very many trips", () => {
    expect(openDuration(5000, cfg)).toBe(300_000);
  });
});

describe("publicState", () => {
  it("shows a closed breaker with its failure count", () => {
    const state = apply(initialBreaker(), failures(2), T0);
    expect(publicState(state, T0, cfg)).toEqual({ state: "closed", opened_at: null, retry_in_ms: null, consecutive_failures: 2 });
  });

  it("shows an open breaker with its opening time and the wait left", () => {
    expect(publicState(tripped(), T0 + 5000, cfg)).toEqual({
      state: "open",
      opened_at: "2024-01-01T00:00:00.000Z",
      retry_in_ms: 25_000,
      consecutive_failures: 0,
    });
  });

  it("shows an open breaker past its timeout as half_open, ready for a probe", () => {
    expect(publicState(tripped(), T0 + 30_000, cfg)).toEqual({ state: "half_open", opened_at: null, retry_in_ms: null, consecutive_failures: 0 });
  });

  it("shows a short retry when every probe slot is taken", () => {
    const busy = probe(tripped(), T0 + 30_000);
    expect(publicState(busy, T0 + 30_000, cfg)).toMatchObject({ state: "half_open", retry_in_ms: 1000 });
  });
});

describe("serialisation", () => {
  it("survives a JSON round trip in every state", () => {
    const rated: BreakerConfig = { ...cfg, failureRate: { threshold: 0.5, minCalls: 10, window: 10 } };
    const states = [apply(initialBreaker(), [failure, success], T0, rated), tripped(), probe(tripped(), T0 + 30_000)];
    for (const state of states) expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
