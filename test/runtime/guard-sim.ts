// A stand-in EndpointGuard object on a simulated clock for tests that run many isolates through the
// real isolate-side client: the real core breaker (admit, transition, tick), IsolateTable and
// late-success rule, probes granted and settled as the object does; it records every call and ask.
import { admit, initialBreaker, tick, transition, type BreakerState } from "../../src/core/breaker";
import { arrivingEvent, breakerEvent } from "../../src/core/endpoint-report";
import { IsolateTable } from "../../src/core/guard-fanin";
import { ACTIVE } from "../../src/core/lifecycle";
import type { EndpointGuardRpc, GuardAdmission, GuardSyncRequest, GuardView } from "../../src/ports/guard";
import type { SimulatedClock } from "./helpers";

export function standInGuard(clock: SimulatedClock) {
  let breaker: BreakerState = initialBreaker();
  let lastFailureAt = 0;
  let openedAt: number | null = null;
  let probeSeq = 0;
  const probes = new Set<string>();
  const table = new IsolateTable();
  const calls: number[] = [];
  /** Every ask for admission (a half-open breaker's probe request): when, and from which isolate. */
  const asks: { at: number; isolate: string }[] = [];
  const granted: string[] = [];
  const view = (isolate: string, now: number): GuardView => ({
    breaker,
    othersInflight: table.inflight(now, isolate),
    backlog: {},
    now,
    lifecycle: ACTIVE,
    flushIntervalMs: table.flushIntervalMs(now),
  });
  const object = {
    sync(req: GuardSyncRequest) {
      const now = clock.runtime.now();
      calls.push(now);
      table.seen(req.isolate, req.inflight, now);
      for (const r of req.reports) {
        const event = arrivingEvent(r, lastFailureAt);
        if (event?.kind === "failure") lastFailureAt = Math.max(lastFailureAt, r.at);
        if (event !== undefined) breaker = transition(breaker, event, r.at, req.cfg);
      }
      breaker = tick(breaker, now, req.cfg);
      let admission: GuardAdmission | null = null;
      if (req.admit) {
        asks.push({ at: now, isolate: req.isolate });
        const decided = admit(breaker, now, req.cfg);
        breaker = decided.state;
        admission = decided.admission;
        if (admission.kind === "probe") {
          const probeId = `probe-${++probeSeq}`;
          probes.add(probeId);
          granted.push(req.isolate);
          admission = { ...admission, probeId };
        }
      }
      if (breaker.kind === "open") openedAt ??= now;
      return { view: view(req.isolate, now), admission };
    },
    probeDone(probeId: string, report: GuardSyncRequest["reports"][number], cfg: GuardSyncRequest["cfg"], isolate: string, inflight: number): GuardView {
      const now = clock.runtime.now();
      calls.push(now);
      table.seen(isolate, inflight, now);
      if (probes.delete(probeId)) breaker = transition(breaker, breakerEvent(report.breaker) ?? { kind: "probe_abandoned" }, now, cfg);
      return view(isolate, now);
    },
  };
  const namespace = { idFromName: (name: string) => name, get: () => object } as unknown as DurableObjectNamespace<EndpointGuardRpc>;
  return { namespace, calls, asks, granted, table, breaker: () => breaker, openedAt: () => openedAt };
}

/** Calls per simulated second within [from, to). */
export function perSecond(calls: readonly number[], from: number, to: number): number[] {
  const buckets = new Map<number, number>();
  for (const at of calls) if (at >= from && at < to) buckets.set(Math.floor(at / 1000), (buckets.get(Math.floor(at / 1000)) ?? 0) + 1);
  return [...buckets.values()];
}

/** A seeded generator in [0, 1): the same run every time. */
export function seededRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}
