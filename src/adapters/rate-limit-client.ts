// Per-source rate limiting from the isolate: spends locally leased tokens, asks the source's
// SourceRateLimiter object for a new lease (~8 s of this isolate's own demand, core/token-bucket
// planLease) when they run out, and gives back what a lease did not spend by its end.
import { nextAskAt, observedDemand, planLease } from "../core/token-bucket";
import type { AdminRateLimit, RateDecision, RateLimiter, SourceRateLimiterRpc } from "../ports/rate-limit";
import { errorMessage, log } from "../log";

/** One source's lease at this isolate. `askAfter`: no object call before then; `retryAt`: when the object expects a token. */
export interface Lease {
  tokens: number;
  expiresAt: number;
  askedAt: number | null;
  /** Requests seen (spent or refused) since the last ask: the demand the next lease is sized by. */
  seen: number;
  askAfter: number;
  retryAt: number;
  /** An ask on its way (true when the object answered): requests meanwhile wait for it instead of asking too. */
  asking: Promise<boolean> | null;
}
export type LeaseTable = Map<string, Lease>;

/** Per isolate (module scope); tests make more to simulate many isolates. */
const isolateLeases: LeaseTable = new Map();

function refused(lease: Lease, now: number): RateDecision {
  return { ok: false, retryAfterS: Math.max(1, Math.ceil((Math.max(lease.retryAt, lease.askAfter) - now) / 1000)) };
}

export function rateLimiter(namespace: DurableObjectNamespace<SourceRateLimiterRpc>, random: () => number, leases: LeaseTable = isolateLeases): RateLimiter {
  async function ask(source: string, lease: Lease, cfg: Parameters<RateLimiter["take"]>[1], now: number): Promise<boolean> {
    const plan = planLease(cfg, observedDemand(lease.seen, lease.askedAt, now), random());
    const returned = lease.tokens >= 1 ? Math.floor(lease.tokens) : 0;
    // Requests that arrive while the ask is on its way count towards the next lease.
    const counted = lease.seen;
    try {
      const answer = await namespace.get(namespace.idFromName(source)).lease(plan.want, cfg, returned);
      Object.assign(lease, {
        tokens: answer.granted,
        expiresAt: now + plan.ttlMs,
        askedAt: now,
        seen: lease.seen - counted,
        askAfter: nextAskAt(plan, answer.granted, answer.retryAfterMs, now),
        retryAt: answer.granted === 0 ? now + answer.retryAfterMs : 0,
      });
      return true;
    } catch (error) {
      // Fail open: a rate limiter outage must not stop verified traffic.
      log("error", "rate_limiter_unavailable", { source, error: errorMessage(error) });
      return false;
    }
  }

  return {
    async take(source, cfg, now) {
      const key = `${source}|${cfg.requests}/${cfg.periodS}`;
      let lease = leases.get(key);
      if (lease === undefined) {
        lease = { tokens: 0, expiresAt: 0, askedAt: null, seen: 0, askAfter: 0, retryAt: 0, asking: null };
        leases.set(key, lease);
      }
      lease.seen += 1;
      for (;;) {
        if (lease.tokens >= 1 && lease.expiresAt > now) break;
        // Requests that arrive during an ask wait for it, then spend, ask again, or are refused.
        if (lease.asking !== null) {
          if (!(await lease.asking)) return { ok: true };
          continue;
        }
        if (lease.askAfter > now) return refused(lease, now);
        const current = lease;
        current.asking = ask(source, current, cfg, now);
        if (!(await current.asking.finally(() => (current.asking = null)))) return { ok: true };
      }
      lease.tokens -= 1;
      return { ok: true };
    },
  };
}

export function forgetRateLeases(): void {
  isolateLeases.clear();
}

/** Every admin request counts against its client IP, before the token is looked at (brute force). */
export function adminRateLimit(limiter: RateLimit | undefined): AdminRateLimit {
  return {
    async allow(ip) {
      if (limiter === undefined) return true;
      try {
        const { success } = await limiter.limit({ key: `admin:${ip ?? "unknown"}` });
        return success;
      } catch {
        return true;
      }
    },
  };
}
