// A half-open endpoint under 2,000 simulated isolates (each with its own guard cache, the real
// isolate-side client, a simulated clock): each isolate asks the object for a probe at most once per
// interval, the asks spread over the interval instead of landing in one second, one probe is
// granted, and its success closes the breaker for everyone.
import { describe, expect, it } from "vitest";
import { endpointGuard } from "../../src/adapters/endpoint-guard-client";
import { newGuardCache } from "../../src/adapters/guard-cache";
import type { Endpoint } from "../../src/config/load";
import { simulatedClock } from "./helpers";
import { perSecond, seededRandom, standInGuard } from "./guard-sim";

const ENDPOINT = {
  name: "hot",
  url: "https://hot.example.com/",
  breaker: { failureThreshold: 5, recoveryTimeoutMs: 20_000, halfOpenMaxProbes: 1 },
  max_concurrency: 100_000,
} as unknown as Endpoint;

const ISOLATES = 2_000;
const STEP = 50;

describe("half-open breaker under many isolates", () => {
  it("asks at most once per isolate per interval, spreads the asks, and closes on the probe's success", { timeout: 120_000 }, async () => {
    const start = 1_700_000_000_000;
    const clock = simulatedClock(start);
    const object = standInGuard(clock);
    const runtime = { ...clock.runtime, random: seededRandom(7) };
    const background: Promise<unknown>[] = [];
    const ports = Array.from({ length: ISOLATES }, (_, i) =>
      endpointGuard(object.namespace, runtime, { waitUntil: (p) => void background.push(p.catch(() => undefined)) }, newGuardCache(`isolate-${i}`)),
    );
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    // Down from 10 s to 25 s: the breaker opens at ~10 s and half-opens at ~30 s, when the endpoint is back.
    const downAt = (t: number) => t >= 10_000 && t < 25_000;
    let closedAt: number | null = null;
    const wentAfterClose = new Set<number>();
    for (let t = 0; t < 60_000; t += STEP) {
      clock.advance(STEP);
      const turn = (t / STEP) % 10;
      await Promise.all(
        ports.map(async (port, i) => {
          if (i % 10 !== turn) return;
          const decision = await port.admit(ENDPOINT, "r", "async", 1_500);
          if (decision.kind !== "go") return;
          if (closedAt !== null) wentAfterClose.add(i);
          await decision.lease.finish(downAt(t) ? { kind: "response", status: 503 } : { kind: "response", status: 200 }, 5);
        }),
      );
      await settle();
      if (closedAt === null && object.openedAt() !== null && object.breaker().kind === "closed") closedAt = clock.runtime.now();
    }
    const interval = object.table.flushIntervalMs(clock.runtime.now());
    expect(interval).toBe(5_000);
    // The half-open phase: asks come only from isolates, at most one per isolate per interval…
    expect(object.asks.length).toBeGreaterThan(0);
    const byIsolate = new Map<string, number[]>();
    for (const ask of object.asks) byIsolate.set(ask.isolate, [...(byIsolate.get(ask.isolate) ?? []), ask.at]);
    for (const times of byIsolate.values()) for (let k = 1; k < times.length; k++) expect((times[k] ?? 0) - (times[k - 1] ?? 0)).toBeGreaterThanOrEqual(interval);
    // …spread over the interval (2,000 isolates, ~400 a second; every waiting delivery asking was ~20,000/s)…
    expect(
      Math.max(
        ...perSecond(
          object.asks.map((a) => a.at),
          start,
          start + 60_000,
        ),
      ),
    ).toBeLessThan(500);
    // …and all the object's calls stay near the fan-in bound through the whole outage and recovery.
    expect(Math.max(...perSecond(object.calls, start + 11_000, start + 60_000))).toBeLessThan(500);
    // One probe, granted once; its success closes the breaker, and every isolate calls again within an interval or two.
    expect(object.granted).toHaveLength(1);
    expect(closedAt).not.toBeNull();
    expect((closedAt ?? Infinity) - ((object.openedAt() ?? 0) + ENDPOINT.breaker.recoveryTimeoutMs)).toBeLessThan(interval);
    expect(object.breaker().kind).toBe("closed");
    expect(wentAfterClose.size).toBe(ISOLATES);
  });
});
