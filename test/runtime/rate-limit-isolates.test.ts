// A rate-limited source served by 2,000 simulated isolates (each with its own lease table, the real
// isolate-side client, a simulated clock) against a stand-in SourceRateLimiter (the object's own
// core/token-bucket grantLease): the object's calls stay under 500/s, and the admitted rate stays
// within the stated accuracy of the limit, at the limit and 1.5× above it.
import { describe, expect, it } from "vitest";
import { rateLimiter } from "../../src/adapters/rate-limit-client";
import { fullBucket, grantLease, type BucketConfig, type BucketState } from "../../src/core/token-bucket";
import type { SourceRateLimiterRpc } from "../../src/ports/rate-limit";
import { perSecond, seededRandom } from "./guard-sim";

const ISOLATES = 2_000;
const STEP = 20;
/** 10,000 requests/s over a 20 s period: leases aim at 8 s (core/token-bucket leaseTargetMs). */
const LIMIT: BucketConfig = { requests: 200_000, periodS: 20 };
const RATE = LIMIT.requests / LIMIT.periodS;

function standInLimiter(now: () => number) {
  let bucket: BucketState | undefined;
  const calls: number[] = [];
  const object = {
    lease(want: number, cfg: BucketConfig, returned = 0) {
      calls.push(now());
      bucket ??= fullBucket(cfg, now());
      const result = grantLease(bucket, cfg, now(), want, returned);
      bucket = result.state;
      return { granted: result.granted, retryAfterMs: result.retryAfterMs };
    },
  };
  const namespace = { idFromName: (name: string) => name, get: () => object } as unknown as DurableObjectNamespace<SourceRateLimiterRpc>;
  return { namespace, calls };
}

describe("per-source rate limit under many isolates", () => {
  it("keeps the limiter object under 500 calls/s and the admitted rate within the stated accuracy", { timeout: 180_000 }, async () => {
    const start = 1_700_000_000_000;
    let now = start;
    const object = standInLimiter(() => now);
    const random = seededRandom(11);
    const limiters = Array.from({ length: ISOLATES }, () => rateLimiter(object.namespace, random, new Map()));
    const owed = Array.from({ length: ISOLATES }, (_, i) => i / ISOLATES);
    const admitted: number[] = [];
    const END = 80_000;
    // 0-20 s at the limit (5 requests/s per isolate), 20-80 s at 1.5× the limit.
    for (let t = 0; t < END; t += STEP) {
      now = start + t;
      const perIsolate = (t < 20_000 ? 1 : 1.5) * (RATE / ISOLATES);
      const work: Promise<void>[] = [];
      for (let i = 0; i < ISOLATES; i++) {
        owed[i] = (owed[i] ?? 0) + (perIsolate * STEP) / 1_000;
        const limiter = limiters[i];
        while ((owed[i] ?? 0) >= 1 && limiter !== undefined) {
          owed[i] = (owed[i] ?? 0) - 1;
          work.push(limiter.take("hot", LIMIT, now).then((d) => void (d.ok && admitted.push(now))));
        }
      }
      await Promise.all(work);
    }
    // The object: a cold start of all 2,000 isolates in the same second costs two asks each (the first
    // lease is one token, the second is sized by the demand seen); from then on ~250 calls/s, at the
    // limit and above it (measured: 446 at most, in the seconds the leases settle), instead of one
    // call per isolate per second (2,000/s) with 1 s leases.
    const calls = perSecond(object.calls, start + 1_000, start + END);
    expect(Math.max(...calls)).toBeLessThan(500);
    expect(calls.slice(10).reduce((a, b) => a + b, 0) / (calls.length - 10)).toBeLessThan(350);
    // At the limit every request is admitted (nothing held back by tokens parked in other isolates)…
    const atLimit = perSecond(admitted, start, start + 20_000);
    expect(atLimit.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RATE * 20 - 2);
    // …above it, once the bucket's burst is spent, the admitted rate is the limit within 3 % each second
    // and 1 % on average (measured: 9,856-10,177/s)…
    const above = perSecond(admitted, start + 60_000, start + END);
    for (const n of above) expect(Math.abs(n - RATE) / RATE).toBeLessThan(0.03);
    expect(Math.abs(above.reduce((a, b) => a + b, 0) / above.length - RATE) / RATE).toBeLessThan(0.01);
    // …and never more than the bucket allows over the whole run: its size plus the refill.
    expect(admitted.length).toBeLessThanOrEqual(LIMIT.requests + (RATE * END) / 1_000);
  });

  it("admits every request of a burst that arrives together at a cold isolate while the bucket holds tokens", async () => {
    const now = 1_700_000_000_000;
    const object = standInLimiter(() => now);
    const limiter = rateLimiter(object.namespace, () => 0.5, new Map());
    const answers = await Promise.all(Array.from({ length: 50 }, () => limiter.take("hot", LIMIT, now)));
    expect(answers.every((a) => a.ok)).toBe(true);
    // One ask for the first token, then leases sized by the burst: a few calls, not one per request.
    expect(object.calls.length).toBeLessThanOrEqual(3);
  });
});
