// Durable Object, one per rate-limited source: the authoritative token bucket. Isolates lease
// tokens for ~8 s of their own demand and give back what they did not spend (core/token-bucket).
import { DurableObject } from "cloudflare:workers";
import { fullBucket, grantLease, type BucketConfig, type BucketState } from "../core/token-bucket";
import type { LeaseAnswer, SourceRateLimiterRpc } from "../ports/rate-limit";

export class SourceRateLimiter extends DurableObject<unknown> implements SourceRateLimiterRpc {
  private bucket: BucketState | undefined;
  private configKey = "";

  lease(want: number, cfg: BucketConfig, returned = 0): LeaseAnswer {
    const now = Date.now();
    const key = `${cfg.requests}/${cfg.periodS}`;
    if (this.bucket === undefined || key !== this.configKey) {
      // A new object or a changed limit starts full: limits are about rates, not history.
      this.bucket = fullBucket(cfg, now);
      this.configKey = key;
    }
    const result = grantLease(this.bucket, cfg, now, want, returned);
    this.bucket = result.state;
    return { granted: result.granted, retryAfterMs: result.retryAfterMs };
  }
}
