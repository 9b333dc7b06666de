// Guard fan-in: how often each isolate exchanges with an endpoint's EndpointGuard object so that the
// object's calls stay bounded however many isolates serve the endpoint, and the object's table of the
// isolates it hears from (in-flight sums, the active count the interval follows). Pure: time comes in.

/** Calls per second the isolates' refreshes and flushes aim at (under ~500, leaving room for urgent reports). */
export const GUARD_TARGET_CALLS_PER_S = 400;
export const MIN_FLUSH_INTERVAL_MS = 1_000;
/** The longest interval: beyond 4,000 isolates per endpoint the target is no longer held (see docs/breaker.md). */
export const MAX_FLUSH_INTERVAL_MS = 10_000;
/** An isolate not heard from for this long no longer counts as active. */
export const ACTIVE_WINDOW_MS = 2 * MAX_FLUSH_INTERVAL_MS;

/**
 * The refresh/flush interval for `activeIsolates` isolates: 1 s up to 400 of them, then N ÷ 400 s
 * (rounded up to 100 ms), at most 10 s. N isolates each calling once per interval make ≤ 400 calls/s.
 */
export function guardFlushIntervalMs(activeIsolates: number, targetPerS = GUARD_TARGET_CALLS_PER_S): number {
  const needed = Math.ceil((activeIsolates * 1_000) / targetPerS / 100) * 100;
  return Math.min(MAX_FLUSH_INTERVAL_MS, Math.max(MIN_FLUSH_INTERVAL_MS, needed));
}

/**
 * How long one isolate keeps a view it just got: the interval, jittered uniformly in [0.5, 1.5) ×
 * (`random` in [0, 1)) so that isolates which refreshed together (an outage's onset) spread out again
 * within one interval. Never below 1 s.
 */
export function jitteredInterval(intervalMs: number, random: number): number {
  return Math.max(MIN_FLUSH_INTERVAL_MS, Math.round(intervalMs * (0.5 + random)));
}

/** Isolates a second that send a failure at once when the object spaces its callers (interval > 1 s). */
export const GUARD_AT_ONCE_PER_S = 100;

/**
 * The share of isolates that send a failure to the object at once rather than on their next
 * exchange: all of them at a 1 s interval (≤ 400 isolates), else about 100 of the
 * `400 × interval` isolates the interval stands for, so an outage's onset, when every caller fails
 * in the same second, adds ~100 calls to the object's ~400 however many isolates fail together.
 */
export function atOnceShare(intervalMs: number): number {
  if (intervalMs <= MIN_FLUSH_INTERVAL_MS) return 1;
  return Math.min(1, (GUARD_AT_ONCE_PER_S * 1_000) / (GUARD_TARGET_CALLS_PER_S * intervalMs));
}

/** Whether an isolate that drew `draw` (in [0, 1), fresh at each exchange) is one of them. */
export function reportsAtOnce(intervalMs: number, draw: number): boolean {
  return draw < atOnceShare(intervalMs);
}

/** Calls per second the object takes from `activeIsolates` isolates at the interval they are given. */
export function guardCallsPerS(activeIsolates: number): number {
  return (activeIsolates * 1_000) / guardFlushIntervalMs(activeIsolates);
}

/** How long an isolate's reported in-flight count stays in the sum: two intervals and a second. */
export function inflightTtlMs(intervalMs: number): number {
  return Math.max(5_000, 2 * intervalMs + 1_000);
}

/** The isolates an object has heard from: their last in-flight counts and when. */
export class IsolateTable {
  private readonly isolates = new Map<string, { inflight: number; seenAt: number }>();

  seen(isolate: string, inflight: number, now: number): void {
    this.isolates.set(isolate, { inflight, seenAt: now });
  }

  /** Isolates heard from within ACTIVE_WINDOW_MS (forgetting older ones). */
  active(now: number): number {
    let n = 0;
    for (const [id, entry] of this.isolates) {
      if (now - entry.seenAt > ACTIVE_WINDOW_MS) this.isolates.delete(id);
      else n += 1;
    }
    return n;
  }

  /** The interval the isolates are told to use now. */
  flushIntervalMs(now: number): number {
    return guardFlushIntervalMs(this.active(now));
  }

  /** In-flight calls reported by isolates other than `except` (all when null) within the in-flight TTL. */
  inflight(now: number, except: string | null): number {
    const ttl = inflightTtlMs(this.flushIntervalMs(now));
    let sum = 0;
    for (const [id, entry] of this.isolates) if (id !== except && now - entry.seenAt <= ttl) sum += entry.inflight;
    return sum;
  }
}
