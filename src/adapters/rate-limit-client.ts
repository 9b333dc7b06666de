// Per-source rate limiting from the isolate: spends locally leased tokens, asks the source's
// SourceRateLimiter object for a new lease when they run out. Unused tokens expire after 1 s.
import { leaseSize } from "../core/token-bucket";
import type { AdminRateLimit, RateLimiter, SourceRateLimiterRpc } from "../ports/rate-limit";
import { errorMessage, log } from "../log";

const LEASE_TTL_MS = 1_000;

/** `blockedUntil`: no object call before then (≤ 1 s); `retryAt`: when the object expects a token again. */
interface Lease {
  tokens: number;
  expiresAt: number;
  blockedUntil: number;
  retryAt: number;
}
const leases = new Map<string, Lease>();

export function rateLimiter(namespace: DurableObjectNamespace<SourceRateLimiterRpc>): RateLimiter {
  return {
    async take(source, cfg, now) {
      const key = `${source}|${cfg.requests}/${cfg.periodS}`;
      let lease = leases.get(key);
      if (lease !== undefined && lease.blockedUntil > now) return { ok: false, retryAfterS: Math.max(1, Math.ceil((lease.retryAt - now) / 1000)) };
      if (lease === undefined || lease.tokens <= 0 || lease.expiresAt <= now) {
        try {
          const stub = namespace.get(namespace.idFromName(source));
          const answer = await stub.lease(leaseSize(cfg), cfg);
          const blocked = answer.granted === 0;
          lease = {
            tokens: answer.granted,
            expiresAt: now + LEASE_TTL_MS,
            blockedUntil: blocked ? now + Math.min(answer.retryAfterMs, LEASE_TTL_MS) : 0,
            retryAt: blocked ? now + answer.retryAfterMs : 0,
          };
          leases.set(key, lease);
          if (blocked) return { ok: false, retryAfterS: Math.max(1, Math.ceil(answer.retryAfterMs / 1000)) };
        } catch (error) {
          // Fail open: a rate limiter outage must not stop verified traffic.
          log("error", "rate_limiter_unavailable", { source, error: errorMessage(error) });
          return { ok: true };
        }
      }
      lease.tokens -= 1;
      return { ok: true };
    },
  };
}

export function forgetRateLeases(): void {
  leases.clear();
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
