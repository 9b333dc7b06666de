// The isolate's memory of each endpoint's guard: the cached view, outcomes and counts not yet sent,
// local in-flight calls. One per isolate (module scope); tests make more to simulate many isolates.
import type { Endpoint } from "../config/load";
import type { CallReport } from "../core/endpoint-report";
import { MIN_FLUSH_INTERVAL_MS } from "../core/guard-fanin";
import type { GuardView } from "../ports/guard";

export interface Entry {
  view: GuardView | null;
  fetchedAt: number;
  /** How long the view fetched at `fetchedAt` stays fresh (the object's interval, jittered). */
  freshForMs: number;
  pending: CallReport[];
  inflight: number;
  accepted: Record<string, number>;
  filtered: Record<string, number>;
  /** Schema violations per route since the last exchange. */
  violations: Record<string, number>;
  /** A timed flush is armed for the outcomes buffered since the last exchange. */
  trailing: boolean;
  /** A view refresh is on its way: concurrent calls use the view they have instead of asking too. */
  refreshing: boolean;
  /** A failure report is on its way to the object: later failures wait for its answer. */
  urgent: boolean;
  /** The endpoint as last seen, so a flush at the end of a batch knows its breaker settings. */
  endpoint: Endpoint | null;
  /** When this isolate last asked a half-open object for a probe (core/guard-policy HalfOpenGate). */
  lastAskAt: number | null;
  /** Drawn at each exchange: whether this isolate's failures go at once until the next (core/guard-fanin reportsAtOnce). */
  reportDraw: number;
}

export interface GuardCache {
  /** This isolate's id as the objects know it (their in-flight sums and active counts). */
  readonly isolate: string;
  readonly entries: Map<string, Entry>;
}

export function newGuardCache(isolate: string = crypto.randomUUID()): GuardCache {
  return { isolate, entries: new Map() };
}

/** Per isolate: the cache outlives one invocation on purpose (that is what makes it cheap). */
let isolateCache: GuardCache | undefined;
export function defaultGuardCache(): GuardCache {
  isolateCache ??= newGuardCache();
  return isolateCache;
}

export function entryOf(cache: GuardCache, name: string): Entry {
  let e = cache.entries.get(name);
  if (e === undefined) {
    e = {
      view: null,
      fetchedAt: 0,
      freshForMs: MIN_FLUSH_INTERVAL_MS,
      pending: [],
      inflight: 0,
      accepted: {},
      filtered: {},
      violations: {},
      trailing: false,
      refreshing: false,
      urgent: false,
      endpoint: null,
      lastAskAt: null,
      reportDraw: 0,
    };
    cache.entries.set(name, e);
  }
  return e;
}

export function hasBuffered(e: Entry): boolean {
  return e.pending.length > 0 || Object.keys(e.accepted).length > 0 || Object.keys(e.filtered).length > 0 || Object.keys(e.violations).length > 0;
}

/** How long the view is fresh and outcomes may wait: the interval the object gave (1 s before it has). */
export function intervalOf(e: Entry): number {
  return e.view?.flushIntervalMs ?? MIN_FLUSH_INTERVAL_MS;
}

/** Forgets cached state (tests, admin reset). */
export function forgetGuardCache(name?: string): void {
  const cache = defaultGuardCache();
  if (name === undefined) cache.entries.clear();
  else cache.entries.delete(name);
}
