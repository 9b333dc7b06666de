import { describe, expect, it } from "vitest";
import { fullBucket, giveBack, grantLease, leaseSize, leaseTargetMs, nextAskAt, observedDemand, planLease, refill, take } from "../../src/core/token-bucket";

const cfg = { requests: 5, periodS: 60 };

describe("token bucket", () => {
  it("grants the whole limit at once, then refuses with the time until the next token", () => {
    let state = fullBucket(cfg, 0);
    for (let i = 0; i < 5; i++) {
      const t = take(state, cfg, 0, 1);
      expect(t.granted).toBe(1);
      state = t.state;
    }
    const refused = take(state, cfg, 0, 1);
    expect(refused.granted).toBe(0);
    expect(refused.retryAfterMs).toBe(12_000);
  });

  it("refills continuously at requests per period", () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(refill(empty, cfg, 12_000).tokens).toBeCloseTo(1);
    expect(refill(empty, cfg, 600_000).tokens).toBe(5);
    expect(take(empty, cfg, 11_999, 1).granted).toBe(0);
    expect(take(empty, cfg, 12_000, 1).granted).toBe(1);
  });

  it("grants at most the whole tokens available when a lease asks for more", () => {
    const t = take({ tokens: 3.7, updatedAt: 0 }, cfg, 0, 10);
    expect(t.granted).toBe(3);
    expect(t.state.tokens).toBeCloseTo(0.7);
  });

  it("never moves time backwards when a clock is behind", () => {
    const state = { tokens: 1, updatedAt: 10_000 };
    expect(refill(state, cfg, 5_000)).toEqual(state);
  });

  it("leases one token for small limits, and at most 1/50 of the limit", () => {
    expect(leaseSize({ requests: 5, periodS: 60 })).toBe(1);
    expect(leaseSize({ requests: 1000, periodS: 60 })).toBe(20);
    expect(leaseSize({ requests: 1_000_000, periodS: 1 })).toBe(20_000);
  });
});

describe("leases sized by the isolate's own demand", () => {
  const hot = { requests: 1_500_000, periodS: 60 };

  it("measures demand over the time since the last ask, at least 250 ms", () => {
    expect(observedDemand(5, null, 1_000)).toBe(0);
    expect(observedDemand(25, 0, 2_000)).toBe(12.5);
    expect(observedDemand(2, 0, 1)).toBe(8);
  });

  it("asks for one token first, then about 8 s of the demand (jittered 0.5-1.5×), within leaseSize", () => {
    expect(planLease(hot, 0, 0.5)).toEqual({ want: 1, lastsMs: 1_000, ttlMs: 1_000 });
    expect(planLease(hot, 12.5, 0.5)).toEqual({ want: 100, lastsMs: 8_000, ttlMs: 16_000 });
    expect(planLease(hot, 100, 0.5)).toEqual({ want: 800, lastsMs: 8_000, ttlMs: 16_000 });
    expect(planLease(hot, 5, 0)).toEqual({ want: 20, lastsMs: 4_000, ttlMs: 8_000 });
    // A slow isolate: one token that may wait up to 20 s for its request, then goes back.
    expect(planLease(hot, 0.01, 0.5)).toEqual({ want: 1, lastsMs: 20_000, ttlMs: 20_000 });
    // A busy one is capped at leaseSize (1/50 of the limit): its lease lasts less.
    expect(planLease(hot, 10_000, 0.5)).toEqual({ want: 30_000, lastsMs: 3_000, ttlMs: 6_000 });
    expect(planLease(cfg, 1_000, 0.5).want).toBe(1);
  });

  it("aims at half the period for short periods, so leases in flight stay within half the bucket", () => {
    expect(leaseTargetMs({ requests: 100, periodS: 1 })).toBe(500);
    expect(leaseTargetMs(hot)).toBe(8_000);
  });

  it("asks again at once after a full grant, after the lease's life after a short one", () => {
    const plan = { want: 50, lastsMs: 8_000, ttlMs: 16_000 };
    expect(nextAskAt(plan, 50, 0, 1_000)).toBe(1_000);
    expect(nextAskAt(plan, 10, 0, 1_000)).toBe(9_000);
    // Refused with the next token a few ms away (a contended big limit): the lease's life too.
    expect(nextAskAt(plan, 0, 3, 1_000)).toBe(9_000);
    // Refused with the next token 5 s away (a small limit): 1 s at least, never past that token.
    expect(nextAskAt({ want: 1, lastsMs: 20_000, ttlMs: 20_000 }, 0, 5_000, 0)).toBe(5_000);
    expect(nextAskAt({ want: 1, lastsMs: 200, ttlMs: 1_000 }, 0, 5_000, 0)).toBe(1_000);
  });

  it("takes returned tokens back before granting, never above the bucket's size", () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(giveBack(empty, cfg, 0, 3.9).tokens).toBe(3);
    expect(giveBack({ tokens: 4, updatedAt: 0 }, cfg, 0, 10).tokens).toBe(5);
    const granted = grantLease(empty, cfg, 0, 2, 3);
    expect(granted.granted).toBe(2);
    expect(granted.state.tokens).toBe(1);
  });
});
