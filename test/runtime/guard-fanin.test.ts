// Guard fan-in with many simulated isolates on a simulated clock (no real timers): 2,000 isolates,
// each with its own guard cache, call one endpoint through the real isolate-side client; a stand-in
// object (the real core breaker, IsolateTable and late-success rule) counts calls. Steady state and
// an outage's onset stay near 500 calls/s, the trip is not delayed, and once the breaker is open no
// isolate sends the dead endpoint more than failure_threshold calls (its own view trips by itself).
import { describe, expect, it } from "vitest";
import { endpointGuard } from "../../src/adapters/endpoint-guard-client";
import { newGuardCache } from "../../src/adapters/guard-cache";
import { guardFlushIntervalMs } from "../../src/core/guard-fanin";
import type { Endpoint } from "../../src/config/load";
import { simulatedClock } from "./helpers";
import { perSecond, seededRandom, standInGuard } from "./guard-sim";

const ENDPOINT = {
  name: "hot",
  url: "https://hot.example.com/",
  breaker: { failureThreshold: 20, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 },
  max_concurrency: 100_000,
} as unknown as Endpoint;

describe("guard fan-in", () => {
  it("stretches the interval with the isolates: 1 s up to 400, 5 s at 2,000, at most 10 s", () => {
    expect(guardFlushIntervalMs(1)).toBe(1_000);
    expect(guardFlushIntervalMs(400)).toBe(1_000);
    expect(guardFlushIntervalMs(2_000)).toBe(5_000);
    expect(guardFlushIntervalMs(100_000)).toBe(10_000);
  });

  it(
    "keeps a hot endpoint's object under 500 calls/s with 2,000 isolates, and stops every isolate within failure_threshold failures after a trip",
    { timeout: 120_000 },
    async () => {
      const start = 1_700_000_000_000;
      const clock = simulatedClock(start);
      const object = standInGuard(clock);
      const ISOLATES = 2_000;
      const background: Promise<unknown>[] = [];
      // A seeded generator for the isolates' jitter: the same run every time.
      const runtime = { ...clock.runtime, random: seededRandom(42) };
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
      // The trip is not delayed: the object opens within the first second of the outage (measured: 100 ms)…
      expect((object.openedAt() ?? Infinity) - (start + 40_000)).toBeLessThan(1_000);
      // …and no isolate sends the dead endpoint more than failure_threshold calls once it is open: it
      // stops at its own threshold, or earlier when a failure it reports at once, or a refresh, brings
      // the open breaker (measured: 14 at most, failure_threshold 20).
      expect(Math.max(...failedCallsAfterOpen)).toBeLessThanOrEqual(ENDPOINT.breaker.failureThreshold);
      // The onset costs no burst: ~100 isolates report their failure at once, the rest on their interval
      // (measured: 481 calls in the trip second, then ~400/s; the old client sent ~4,000 in that second).
      expect(Math.max(...perSecond(object.calls, start + 40_000, start + 50_000))).toBeLessThan(550);
      expect(Math.max(...perSecond(object.calls, start + 41_000, start + 50_000))).toBeLessThan(500);
    },
  );
});
