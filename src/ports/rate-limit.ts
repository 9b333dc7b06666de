// Per-source rate limiting as the ingress sees it, and the SourceRateLimiter object's RPC surface.
import type { BucketConfig } from "../core/token-bucket";

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

export interface LeaseAnswer {
  granted: number;
  retryAfterMs: number;
}

export interface SourceRateLimiterRpc extends Rpc.DurableObjectBranded {
  lease(want: number, cfg: BucketConfig): LeaseAnswer;
}

export interface RateLimiter {
  /** Spends one token of the source's bucket; fails open when the limiter cannot be reached. */
  take(source: string, cfg: BucketConfig, now: number): Promise<RateDecision>;
}
