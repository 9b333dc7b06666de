// Guard fan-in with many simulated isolates on a simulated clock (no real timers): 2,000 isolates,
// each with its own guard cache, call one endpoint through the real isolate-side client; a stand-in
// object (the real core breaker and IsolateTable) counts calls. Steady state stays under 500 calls/s,
// the trip is not delayed, and once the breaker is open no isolate sends the dead endpoint more than
// one more call (it learns from the answer to its first failure report).
import { describe, expect, it } from "vitest";
import { endpointGuard } from "../../src/adapters/endpoint-guard-client";
import { newGuardCache } from "../../src/adapters/guard-cache";
import { initialBreaker, tick, transition, type BreakerState } from "../../src/core/breaker";
import { breakerEvent } from "../../src/core/endpoint-report";
import { guardFlushIntervalMs, IsolateTable } from "../../src/core/guard-fanin";
import { ACTIVE } from "../../src/core/lifecycle";
import type { Endpoint } from "../../src/config/load";
import type { EndpointGuardRpc, GuardSyncRequest } from "../../src/ports/guard";
import { simulatedClock, type SimulatedClock } from "./helpers";

const ENDPOINT = {
  name: "hot",
  url: "https://hot.example.com/",
  breaker: { failureThreshold: 20, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 },
  max_concurrency: 100_000,
} as unknown as Endpoint;

/** The object's fan-in behaviour on the simulated clock: real breaker transitions and isolate table. */
function standInObject(clock: SimulatedClock) {
  let breaker: BreakerState = initialBreaker();
  let openedAt: number | null = null;
  const table = new IsolateTable();
  const calls: number[] = [];
  const object = {
    sync(req: GuardSyncRequest) {
      const now = clock.runtime.now();
      calls.push(now);
      table.seen(req.isolate, req.inflight, now);
      for (const r of req.reports) {
        const event = breakerEvent(r.breaker);
        if (event !== undefined) breaker = transition(breaker, event, r.at, req.cfg);
      }
      breaker = tick(breaker, now, req.cfg);
      if (breaker.kind === "open") openedAt ??= now;
      const view = { breaker, othersInflight: table.inflight(now, req.isolate), backlog: {}, now, lifecycle: ACTIVE, flushIntervalMs: table.flushIntervalMs(now) };
      return { view, admission: null };
    },
  };
  const namespace = { idFromName: (name: string) => name, get: () => object } as unknown as DurableObjectNamespace<EndpointGuardRpc>;
  return { namespace, calls, table, openedAt: () => openedAt };
}

const perSecond = (calls: readonly number[], from: number, to: number) => {
  const buckets = new Map<number, number>();
  for (const at of calls) if (at >= from && at < to) buckets.set(Math.floor(at / 1000), (buckets.get(Math.floor(at / 1000)) ?? 0) + 1);
  return [...buckets.values()];
};

describe("guard fan-in", () => {
  it("stretches the interval with the isolates: 1 s up to 400, 5 s at 2,000, at most 10 s", () => {
    expect(guardFlushIntervalMs(1)).toBe(1_000);
    expect(guardFlushIntervalMs(400)).toBe(1_000);
    expect(guardFlushIntervalMs(2_000)).toBe(5_000);
    expect(guardFlushIntervalMs(100_000)).toBe(10_000);
  });

  it("keeps a hot endpoint's object under 500 calls/s with 2,000 isolates, and stops every isolate at its first failure after a trip", { timeout: 120_000 }, async () => {
    const start = 1_700_000_000_000;
    const clock = simulatedClock(start);
    const object = standInObject(clock);
    const ISOLATES = 2_000;
    const background: Promise<unknown>[] = [];
    // A seeded generator for the isolates' jitter: the same run every time.
    let seed = 42;
    const runtime = { ...clock.runtime, random: () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32 };
    const ports = Array.from({ length: ISOLATES }, (_, i) =>
      endpointGuard(object.namespace, runtime, { waitUntil: (p) => void background.push(p.catch(() => undefined)) }, newGuardCache(`isolate-${i}`)),
    );
    let down = false;
    const failedCallsAfterOpen = new Array<number>(ISOLATES).fill(0);
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    // Each isolate takes one sync call every 500 ms, the isolates spread over the first 500 ms.
    const STEP = 50;
    for (let t = 0; t < 50_000; t += STEP) {
      clock.advance(STEP);
      if (t === 40_000) down = true;
      const turn = (t / STEP) % 10;
      await Promise.all(
        ports.map(async (port, i) => {
          if (i % 10 !== turn) return;
          const decision = await port.admit(ENDPOINT, "r", "sync", 1_500);
          if (decision.kind !== "go") return;
          if (down && object.openedAt() !== null) failedCallsAfterOpen[i] = (failedCallsAfterOpen[i] ?? 0) + 1;
          await decision.lease.finish(down ? { kind: "response", status: 503 } : { kind: "response", status: 200 }, 5);
        }),
      );
      await settle();
    }
    const steady = perSecond(object.calls, start + 20_000, start + 40_000);
    expect(object.table.flushIntervalMs(clock.runtime.now())).toBe(5_000);
    expect(Math.max(...steady)).toBeLessThan(500);
    expect(steady.reduce((a, b) => a + b, 0) / steady.length).toBeLessThan(450);
    // The trip is not delayed: the object opens within the first second of the outage…
    expect((object.openedAt() ?? Infinity) - (start + 40_000)).toBeLessThan(1_000);
    // …and no isolate sends more than one call to the dead endpoint once it is open.
    expect(Math.max(...failedCallsAfterOpen)).toBeLessThanOrEqual(1);
    // The onset costs each isolate about one report per failed call before it knows (a one-off burst
    // of ~2 × isolates in the first second here); from the second second on, back to ~400/s (530 at most).
    const onset = perSecond(object.calls, start + 40_000, start + 50_000);
    expect(onset.reduce((a, b) => a + b, 0)).toBeLessThan(ISOLATES * 2 + 2 * 500 + 5 * 500);
    expect(Math.max(...perSecond(object.calls, start + 41_000, start + 50_000))).toBeLessThan(600);
  });
});
