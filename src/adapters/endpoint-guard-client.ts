// The isolate's side of each endpoint's EndpointGuard object: its view cached for one interval (1 s,
// stretched by the object up to 10 s when many isolates call it: core/guard-fanin), outcomes batched
// (by a timer, or at the end of a queue batch). Which failures go at once and when a half-open view
// may ask for a probe (once an interval per isolate): core/guard-policy, as are admission and backpressure.
import type { Endpoint } from "../config/load";
import { admission, afterReport, backpressure, failureReportAtOnce } from "../core/guard-policy";
import { breakerVerdict, type CallReport } from "../core/endpoint-report";
import type { EndpointGuardPort, EndpointGuardRpc, GuardDecision, GuardLease } from "../ports/guard";
import type { Background, Runtime } from "../runtime";
import { jitteredInterval, MIN_FLUSH_INTERVAL_MS } from "../core/guard-fanin";
import { defaultGuardCache, entryOf as cacheEntry, forgetGuardCache, hasBuffered, intervalOf, type Entry, type GuardCache } from "./guard-cache";
import { errorMessage, log } from "../log";

/** The view's freshness before the object has said otherwise (core/guard-fanin MIN_FLUSH_INTERVAL_MS). */
export const CACHE_TTL_MS = MIN_FLUSH_INTERVAL_MS;
const MAX_PENDING = 100;

export { forgetGuardCache } from "./guard-cache";

/**
 * The guard port of one invocation. `background` keeps the trailing flush alive after the response
 * (fetch path); without it (queue consumer, ordered alarm) the caller flushes at the end.
 */
export function endpointGuard(
  namespace: DurableObjectNamespace<EndpointGuardRpc>,
  clock: Runtime,
  background?: Background,
  cache: GuardCache = defaultGuardCache(),
): EndpointGuardPort {
  const stub = (endpoint: string) => namespace.get(namespace.idFromName(endpoint));
  const entryOf = (name: string) => cacheEntry(cache, name);
  const isolate = () => cache.isolate;

  async function exchange(endpoint: Endpoint, e: Entry, now: number, wantAdmission: boolean, leaseMs: number) {
    const reports = e.pending.splice(0);
    const accepted = e.accepted;
    const filtered = e.filtered;
    const violations = e.violations;
    e.accepted = {};
    e.filtered = {};
    e.violations = {};
    try {
      const answer = await stub(endpoint.name).sync({
        isolate: isolate(),
        inflight: e.inflight,
        reports,
        accepted,
        filtered,
        schemaViolations: violations,
        cfg: endpoint.breaker,
        admit: wantAdmission,
        probeLeaseMs: leaseMs,
        quarantine: endpoint.quarantine,
      });
      e.view = answer.view;
      e.fetchedAt = now;
      e.freshForMs = jitteredInterval(intervalOf(e), clock.random());
      e.reportDraw = clock.random();
      return answer.admission;
    } catch (error) {
      e.pending.unshift(...reports.slice(-MAX_PENDING));
      for (const [route, n] of Object.entries(accepted)) e.accepted[route] = (e.accepted[route] ?? 0) + n;
      for (const [route, n] of Object.entries(filtered)) e.filtered[route] = (e.filtered[route] ?? 0) + n;
      for (const [route, n] of Object.entries(violations)) e.violations[route] = (e.violations[route] ?? 0) + n;
      log("error", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
      return null;
    }
  }

  /**
   * Buffered outcomes reach the object within one interval even when no later call carries them:
   * one timer per endpoint and isolate, kept alive by `waitUntil`, so steady traffic flushes once an
   * interval and a lone call is counted an interval after it.
   */
  async function timedFlush(endpoint: Endpoint, e: Entry): Promise<void> {
    try {
      await clock.sleep(e.freshForMs);
      // An exchange meanwhile (a refresh) carried the older outcomes: wait once more, until its view goes stale.
      const left = e.fetchedAt + e.freshForMs - clock.now();
      if (left > 0) await clock.sleep(left);
    } finally {
      e.trailing = false;
    }
    if (!hasBuffered(e)) return;
    e.refreshing = true;
    try {
      await exchange(endpoint, e, clock.now(), false, 0);
    } finally {
      e.refreshing = false;
    }
  }

  /**
   * A failure goes to the object at once (core/guard-policy failureReportAtOnce: while the isolate's
   * own view was closed, from every isolate up to 400 and ~100 a second beyond), so the object trips
   * within the first second and the answer teaches this isolate an open breaker. One such report per endpoint is on its way
   * at a time; other failures ride with the next exchange (the local view trips by itself).
   */
  async function urgentExchange(endpoint: Endpoint, e: Entry, now: number): Promise<void> {
    e.urgent = true;
    try {
      await exchange(endpoint, e, now, false, 0);
    } finally {
      e.urgent = false;
    }
  }

  /** Refreshes a stale view; false when the cached one was kept (fresh, or a refresh on its way). */
  async function refresh(endpoint: Endpoint, e: Entry, leaseMs: number): Promise<boolean> {
    const now = clock.now();
    if (e.view !== null && (now - e.fetchedAt < e.freshForMs || e.refreshing)) return false;
    e.refreshing = true;
    try {
      await exchange(endpoint, e, now, false, leaseMs);
    } finally {
      e.refreshing = false;
    }
    return true;
  }

  function lease(endpoint: Endpoint, e: Entry, route: string, mode: "sync" | "async", probeId: string | undefined): GuardLease {
    e.inflight += 1;
    let finished = false;
    return {
      probe: probeId !== undefined,
      cancel() {
        if (finished) return;
        finished = true;
        e.inflight -= 1;
        // A probe slot not used is given back by the object when its lease expires.
      },
      async finish(result, latencyMs, record) {
        if (finished) return;
        finished = true;
        e.inflight -= 1;
        const now = clock.now();
        const verdict = breakerVerdict(result);
        const report: CallReport = {
          route,
          mode,
          latencyMs,
          at: now,
          breaker: verdict,
          delivered: result.kind === "response" && result.status >= 200 && result.status < 300,
          status: result.kind === "response" ? result.status : null,
          ...(record === undefined ? {} : { record }),
        };
        if (probeId !== undefined) {
          try {
            e.view = await stub(endpoint.name).probeDone(probeId, report, endpoint.breaker, isolate(), e.inflight, endpoint.quarantine);
            e.fetchedAt = now;
          } catch (error) {
            e.fetchedAt = 0;
            log("error", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
          }
          return;
        }
        const before = e.view?.breaker ?? null;
        if (e.view !== null) e.view = { ...e.view, breaker: afterReport(e.view.breaker, report, endpoint.breaker) };
        e.pending.push(report);
        const atOnce = verdict === "failure" && failureReportAtOnce({ local: before, urgentInFlight: e.urgent, intervalMs: intervalOf(e), draw: e.reportDraw });
        if (atOnce || e.pending.length >= MAX_PENDING) {
          await urgentExchange(endpoint, e, now);
        } else if (!e.trailing && background !== undefined) {
          e.trailing = true;
          background.waitUntil(timedFlush(endpoint, e));
        }
      },
    };
  }

  return {
    async admit(endpoint, route, mode, timeoutMs): Promise<GuardDecision> {
      const e = entryOf(endpoint.name);
      e.endpoint = endpoint;
      const decide = () => {
        const now = clock.now();
        const viewStale = now - e.fetchedAt >= e.freshForMs && !e.refreshing;
        const halfOpen = { lastAskAt: e.lastAskAt, intervalMs: intervalOf(e), viewStale };
        return admission({ view: e.view, now, cfg: endpoint.breaker, localInflight: e.inflight, mode, maxConcurrency: endpoint.max_concurrency, halfOpen });
      };
      // A half-open view asks the object without refreshing first: the ask brings a fresh view too.
      let decided = e.view === null ? null : decide();
      if (decided?.kind !== "ask_object" && ((await refresh(endpoint, e, timeoutMs + 5_000)) || decided === null)) decided = decide();
      const now = clock.now();
      switch (decided.kind) {
        case "go":
          return { kind: "go", lease: lease(endpoint, e, route, mode, undefined) };
        case "reject":
          return decided;
        case "ask_object": {
          e.lastAskAt = now;
          const granted = await exchange(endpoint, e, now, true, timeoutMs + 5_000);
          if (granted === null || granted.kind === "reject") return { kind: "reject", reason: "circuit_open", retryInMs: granted?.retryInMs ?? 1_000 };
          if (granted.kind === "probe" && granted.probeId !== undefined) return { kind: "go", lease: lease(endpoint, e, route, mode, granted.probeId) };
          // The object let the call through as an ordinary one (the breaker closed meanwhile): concurrency still applies.
          const again = admission({ view: e.view, now: clock.now(), cfg: endpoint.breaker, localInflight: e.inflight, mode, maxConcurrency: endpoint.max_concurrency });
          if (again.kind === "reject") return again;
          return { kind: "go", lease: lease(endpoint, e, route, mode, undefined) };
        }
      }
    },

    async backpressure(endpoint, route, opts) {
      const e = entryOf(endpoint.name);
      e.endpoint = endpoint;
      await refresh(endpoint, e, 0);
      return backpressure({
        view: e.view,
        now: clock.now(),
        cfg: endpoint.breaker,
        route,
        localAccepted: e.accepted[route] ?? 0,
        maxBacklog: opts.maxBacklog,
        shedWhenOpen: opts.shedWhenOpen,
      });
    },

    noteAccepted(endpoint, route) {
      const e = entryOf(endpoint);
      e.accepted[route] = (e.accepted[route] ?? 0) + 1;
    },

    noteFiltered(endpoint, route) {
      const e = entryOf(endpoint.name);
      e.endpoint = endpoint;
      e.filtered[route] = (e.filtered[route] ?? 0) + 1;
      // Nothing else may call this endpoint soon: the count reaches the object within a second.
      if (!e.trailing && background !== undefined) {
        e.trailing = true;
        background.waitUntil(timedFlush(endpoint, e));
      }
    },

    noteSchemaViolation(endpoint, route) {
      const e = entryOf(endpoint.name);
      e.endpoint = endpoint;
      e.violations[route] = (e.violations[route] ?? 0) + 1;
      if (!e.trailing && background !== undefined) {
        e.trailing = true;
        background.waitUntil(timedFlush(endpoint, e));
      }
    },

    async flush() {
      const work: Promise<unknown>[] = [];
      for (const e of cache.entries.values()) {
        if (e.endpoint !== null && hasBuffered(e)) {
          work.push(exchange(e.endpoint, e, clock.now(), false, 0));
        }
      }
      await Promise.all(work);
    },

    async recordDeadLetter(endpoint, route, at, count = 1) {
      await stub(endpoint).recordDeadLetter(route, at, count);
    },

    async snapshot(endpoint) {
      try {
        return await stub(endpoint.name).snapshot(endpoint.breaker);
      } catch (error) {
        log("warn", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
        return null;
      }
    },

    async reset(endpoint) {
      await stub(endpoint.name).reset();
      forgetGuardCache(endpoint.name);
    },

    async pause(endpoint, reason) {
      const lifecycle = await stub(endpoint.name).pause(reason, clock.now());
      forgetGuardCache(endpoint.name);
      return lifecycle;
    },

    async resume(endpoint) {
      const lifecycle = await stub(endpoint.name).resume(clock.now());
      forgetGuardCache(endpoint.name);
      return lifecycle;
    },

    takeLifecycleEvents: (endpoint) => stub(endpoint.name).takeLifecycleEvents(),
    attempts: (endpoint, limit, before) => stub(endpoint.name).attempts(limit, before),
    attemptsOf: (endpoint, messageId) => stub(endpoint.name).attemptsOf(messageId),
  };
}
