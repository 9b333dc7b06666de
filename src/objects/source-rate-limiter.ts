// Durable Object, one per rate-limited source: the authoritative token bucket. Isolates lease a
// few tokens at a time (core/token-bucket leaseSize), so a source costs ~1 call per lease, not per request.
import { DurableObject } from "cloudflare:workers";
import { fullBucket, take, type BucketConfig, type BucketState } from "../core/token-bucket";
import type { LeaseAnswer, SourceRateLimiterRpc } from "../ports/rate-limit";

export class SourceRateLimiter extends DurableObject<unknown> implements SourceRateLimiterRpc {
  private bucket: BucketState | undefined;
  private configKey = "";

  lease(want: number, cfg: BucketConfig): LeaseAnswer {
    const now = Date.now();
    const key = `${cfg.requests}/${cfg.periodS}`;
    if (this.bucket === undefined || key !== this.configKey) {
      // A new object or a changed limit starts full: limits are about rates, not history.
      this.bucket = fullBucket(cfg, now);
      this.configKey = key;
    }
    const result = take(this.bucket, cfg, now, Math.max(1, Math.floor(want)));
    this.bucket = result.state;
    return { granted: result.granted, retryAfterMs: result.retryAfterMs };
  }
}
