// Per-source rate limiting as the ingress sees it, and the SourceRateLimiter object's RPC surface.
import type { BucketConfig } from "../core/token-bucket";

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

export interface LeaseAnswer {
  granted: number;
  retryAfterMs: number;
}

export interface SourceRateLimiterRpc extends Rpc.DurableObjectBranded {
  /** Up to `want` tokens, after taking back `returned` unspent ones of the caller's ended lease. */
  lease(want: number, cfg: BucketConfig, returned?: number): LeaseAnswer;
}

export interface RateLimiter {
  /** Spends one token of the source's bucket; fails open when the limiter cannot be reached. */
  take(source: string, cfg: BucketConfig, now: number): Promise<RateDecision>;
}

/** The per-client-IP guard in front of the admin API and console (brute force). */
export interface AdminRateLimit {
  /** False when the address has made too many admin requests; true when the limiter is absent or failing. */
  allow(clientIp: string | undefined): Promise<boolean>;
}
