// The isolate's view of each endpoint's guard: breaker state cached for ≤ 1 s, in-flight counted
// locally, outcomes batched to the EndpointGuard object (by a one-second timer, or at the end of a
// queue batch). Healthy traffic costs about one object call per second per isolate; failures and
// half-open probes go to the object at once.
import type { Env } from "../env";
import type { Endpoint } from "../config/load";
import { tick, transition, type BreakerConfig } from "../core/breaker";
import { breakerEvent, breakerVerdict, type CallReport } from "../core/endpoint-report";
import type { AttemptResult } from "../core/outcome";
import type { GuardView } from "../objects/endpoint-guard";
import { errorMessage, log } from "../log";
import type { Background, Runtime } from "../runtime";

export const CACHE_TTL_MS = 1_000;
const MAX_PENDING = 100;
/** Sync calls are shed at or above this share of max_concurrency (the seed's 80 %). */
export const SHED_RATIO = 0.8;

export type GuardDecision =
  | { kind: "go"; lease: GuardLease }
  | { kind: "reject"; reason: "circuit_open" | "shed" | "saturated"; retryInMs: number };

export interface GuardLease {
  probe: boolean;
  /** Reports the call's outcome; resolves once a failure or probe result has reached the object. */
  finish(result: AttemptResult, latencyMs: number): Promise<void>;
}

interface Entry {
  view: GuardView | null;
  fetchedAt: number;
  pending: CallReport[];
  lastFlush: number;
  inflight: number;
  accepted: Record<string, number>;
  /** A timed flush is armed for the outcomes buffered since the last exchange. */
  trailing: boolean;
  /** The endpoint as last seen, so a flush at the end of a batch knows its breaker settings. */
  endpoint: Endpoint | null;
}

/** The clock and timer of a call: a flush waits on the same clock the call is stamped with. */
export type GuardTime = Pick<Runtime, "now" | "sleep">;

const entries = new Map<string, Entry>();
let isolateId: string | undefined;

function isolate(): string {
  isolateId ??= crypto.randomUUID();
  return isolateId;
}

export function breakerConfig(endpoint: Endpoint): BreakerConfig {
  const cb = endpoint.circuit_breaker;
  const cfg: BreakerConfig = { failureThreshold: cb.failure_threshold, recoveryTimeoutMs: cb.recovery_timeout_ms, halfOpenMaxProbes: cb.half_open_max_probes };
  if (cb.failure_rate !== undefined) cfg.failureRate = { threshold: cb.failure_rate.threshold, minCalls: cb.failure_rate.min_calls, window: cb.failure_rate.window };
  return cfg;
}

function stub(env: Env, endpoint: string) {
  return env.ENDPOINT_GUARD.get(env.ENDPOINT_GUARD.idFromName(endpoint));
}

function entryOf(name: string): Entry {
  let e = entries.get(name);
  if (e === undefined) {
    e = { view: null, fetchedAt: 0, pending: [], lastFlush: 0, inflight: 0, accepted: {}, trailing: false, endpoint: null };
    entries.set(name, e);
  }
  return e;
}

/** Forgets cached state (tests, admin reset). */
export function forgetGuardCache(name?: string): void {
  if (name === undefined) entries.clear();
  else entries.delete(name);
}

/**
 * Buffered outcomes reach the object within about a second even when no later call carries them:
 * one timer per endpoint and isolate, kept alive by `waitUntil`, so steady traffic flushes once a
 * second and a lone call is counted a second after it.
 */
async function timedFlush(env: Env, endpoint: Endpoint, e: Entry, time: GuardTime): Promise<void> {
  try {
    await time.sleep(CACHE_TTL_MS);
  } finally {
    e.trailing = false;
  }
  if (e.pending.length > 0 || Object.keys(e.accepted).length > 0) await exchange(env, endpoint, e, time.now(), false, 0);
}

/**
 * Sends every endpoint's buffered outcomes now: the queue consumer calls it at the end of a batch
 * and the ordered stream at the end of an alarm, where a timer would hold the invocation open.
 */
export async function flushGuards(env: Env, clock: () => number): Promise<void> {
  const work: Promise<unknown>[] = [];
  for (const e of entries.values()) {
    if (e.endpoint !== null && (e.pending.length > 0 || Object.keys(e.accepted).length > 0)) {
      work.push(exchange(env, e.endpoint, e, clock(), false, 0));
    }
  }
  await Promise.all(work);
}

async function exchange(env: Env, endpoint: Endpoint, e: Entry, now: number, wantAdmission: boolean, leaseMs: number) {
  const reports = e.pending.splice(0);
  const accepted = e.accepted;
  e.accepted = {};
  e.lastFlush = now;
  try {
    const answer = await stub(env, endpoint.name).sync({
      isolate: isolate(), inflight: e.inflight, reports, accepted, cfg: breakerConfig(endpoint), admit: wantAdmission, probeLeaseMs: leaseMs,
    });
    e.view = answer.view;
    e.fetchedAt = now;
    return answer.admission;
  } catch (error) {
    e.pending.unshift(...reports.slice(-MAX_PENDING));
    for (const [route, n] of Object.entries(accepted)) e.accepted[route] = (e.accepted[route] ?? 0) + n;
    log("error", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
    return null;
  }
}

export async function admitCall(
  env: Env,
  endpoint: Endpoint,
  route: string,
  mode: "sync" | "async",
  timeoutMs: number,
  time: GuardTime,
  background?: Background,
): Promise<GuardDecision> {
  const e = entryOf(endpoint.name);
  e.endpoint = endpoint;
  const cfg = breakerConfig(endpoint);
  let now = time.now();
  if (e.view === null || now - e.fetchedAt >= CACHE_TTL_MS) {
    await exchange(env, endpoint, e, now, false, timeoutMs + 5_000);
    now = time.now();
  }
  // Fail open when the object has never answered: the endpoint's own errors still protect it.
  const state = e.view === null ? { kind: "closed" as const } : tick(e.view.breaker, now, cfg);
  if (state.kind === "open") {
    return { kind: "reject", reason: "circuit_open", retryInMs: Math.max(1, state.openedAt + state.openForMs - now) };
  }
  if (state.kind === "half_open") {
    const admission = await exchange(env, endpoint, e, now, true, timeoutMs + 5_000);
    if (admission === null || admission.kind === "reject") {
      return { kind: "reject", reason: "circuit_open", retryInMs: admission?.retryInMs ?? 1_000 };
    }
    if (admission.kind === "probe" && admission.probeId !== undefined) return { kind: "go", lease: lease(env, endpoint, e, route, mode, time, admission.probeId, background) };
  }
  const total = e.inflight + (e.view?.othersInflight ?? 0);
  if (mode === "sync" && total >= SHED_RATIO * endpoint.max_concurrency) return { kind: "reject", reason: "shed", retryInMs: 1_000 };
  if (mode === "async" && total >= endpoint.max_concurrency) return { kind: "reject", reason: "saturated", retryInMs: 1_000 };
  return { kind: "go", lease: lease(env, endpoint, e, route, mode, time, undefined, background) };
}

function lease(
  env: Env,
  endpoint: Endpoint,
  e: Entry,
  route: string,
  mode: "sync" | "async",
  time: GuardTime,
  probeId: string | undefined,
  background: Background | undefined,
): GuardLease {
  e.inflight += 1;
  let finished = false;
  return {
    probe: probeId !== undefined,
    async finish(result, latencyMs) {
      if (finished) return;
      finished = true;
      e.inflight -= 1;
      const now = time.now();
      const verdict = breakerVerdict(result);
      const report: CallReport = {
        route, mode, latencyMs, at: now, breaker: verdict,
        delivered: result.kind === "response" && result.status >= 200 && result.status < 300,
      };
      const cfg = breakerConfig(endpoint);
      if (probeId !== undefined) {
        try {
          e.view = await stub(env, endpoint.name).probeDone(probeId, report, cfg, isolate(), e.inflight);
          e.fetchedAt = now;
        } catch (error) {
          e.fetchedAt = 0;
          log("error", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
        }
        return;
      }
      const event = breakerEvent(verdict);
      if (e.view !== null && event !== undefined) e.view = { ...e.view, breaker: transition(e.view.breaker, event, now, cfg) };
      e.pending.push(report);
      if (verdict === "failure" || e.pending.length >= MAX_PENDING) {
        await exchange(env, endpoint, e, now, false, 0);
      } else if (!e.trailing && background !== undefined) {
        e.trailing = true;
        background.waitUntil(timedFlush(env, endpoint, e, time));
      }
    },
  };
}

export type Backpressure = { ok: true } | { ok: false; retryAfterS: number; detail: string };

/**
 * Ingress check for routes with `max_backlog` or `shed_when_open`, from the isolate's view (≤ 1 s
 * old). Routes without either option never call this: they cost nothing here.
 */
export async function checkBackpressure(
  env: Env,
  endpoint: Endpoint,
  route: string,
  opts: { maxBacklog: number | undefined; shedWhenOpen: boolean },
  clock: () => number,
): Promise<Backpressure> {
  const e = entryOf(endpoint.name);
  e.endpoint = endpoint;
  const now = clock();
  if (e.view === null || now - e.fetchedAt >= CACHE_TTL_MS) await exchange(env, endpoint, e, now, false, 0);
  if (e.view === null) return { ok: true };
  if (opts.shedWhenOpen) {
    const state = tick(e.view.breaker, clock(), breakerConfig(endpoint));
    if (state.kind === "open") {
      const retryAfterS = Math.max(1, Math.ceil((state.openedAt + state.openForMs - now) / 1000));
      return { ok: false, retryAfterS, detail: "The route's endpoint is unavailable; retry later." };
    }
  }
  if (opts.maxBacklog !== undefined) {
    const backlog = (e.view.backlog[route] ?? 0) + (e.accepted[route] ?? 0);
    if (backlog >= opts.maxBacklog) return { ok: false, retryAfterS: 5, detail: "The route's delivery backlog is full; retry later." };
  }
  return { ok: true };
}

/** Counts an event accepted on a route with max_backlog; reported with the next exchange. */
export function noteAccepted(endpoint: string, route: string): void {
  const e = entryOf(endpoint);
  e.accepted[route] = (e.accepted[route] ?? 0) + 1;
}
