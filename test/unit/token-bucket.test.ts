import { describe, expect, it } from "vitest";
import { fullBucket, leaseSize, refill, take } from "../../src/core/token-bucket";

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

  it("leases one token for small limits, and at most 100", () => {
    expect(leaseSize({ requests: 5, periodS: 60 })).toBe(1);
    expect(leaseSize({ requests: 1000, periodS: 60 })).toBe(20);
    expect(leaseSize({ requests: 1_000_000, periodS: 1 })).toBe(100);
  });
});
