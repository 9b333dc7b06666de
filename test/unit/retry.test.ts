// The retry schedule: attempts, jitter bounds, clamping, Retry-After parsing and the Queue delay rounding.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_MATRIX, nextDelay, parseRetryAfter, retryPolicy, stepFor, toQueueDelaySeconds, type NextStep, type RetryPolicy } from "../../src/core/retry";

const mid = () => 0.5; // no jitter: 0.8 + 0.4 × 0.5 = 1.0
const low = () => 0;
const high = () => 0.999_999_999;

/** Fails attempts one after another until the policy gives up; returns the delays between them. */
function schedule(policy: RetryPolicy, random = mid): number[] {
  const delays: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const step: NextStep = nextDelay({ attempt, policy, random });
    if (step.kind === "give_up") return delays;
    delays.push(step.delayMs);
  }
}

describe("retryPolicy", () => {
  it("makes 1 + matrix.length attempts by default", () => {
    expect(retryPolicy([100, 200]).maxAttempts).toBe(3);
  });

  it("keeps a configured max_attempts", () => {
    expect(retryPolicy([100, 200], 10).maxAttempts).toBe(10);
  });

  it("rejects a negative, fractional or longer-than-24h step and a max_attempts below 1", () => {
    expect(() => retryPolicy([-1])).toThrow(RangeError);
    expect(() => retryPolicy([1.5])).toThrow(RangeError);
    expect(() => retryPolicy([86_400_001])).toThrow(RangeError);
    expect(() => retryPolicy([100], 0)).toThrow(RangeError);
  });

  it("allows a step of exactly 24 h", () => {
    expect(retryPolicy([86_400_000]).matrix).toEqual([86_400_000]);
  });
});

describe("nextDelay", () => {
  it("gives the default matrix exactly 6 attempts with the matrix's steps in order", () => {
    const policy = retryPolicy(DEFAULT_RETRY_MATRIX);
    expect(policy.maxAttempts).toBe(6);
    expect(schedule(policy)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it("gives up once the last allowed attempt has failed", () => {
    const policy = retryPolicy(DEFAULT_RETRY_MATRIX);
    expect(nextDelay({ attempt: 5, policy, random: mid })).toEqual({ kind: "retry", delayMs: 8000 });
    expect(nextDelay({ attempt: 6, policy, random: mid })).toEqual({ kind: "give_up" });
    expect(nextDelay({ attempt: 7, policy, random: mid })).toEqual({ kind: "give_up" });
  });

  it("clamps to the last step when max_attempts is larger than the matrix", () => {
    const policy = retryPolicy([100, 200], 5);
    expect(schedule(policy)).toEqual([100, 200, 200, 200]);
    expect(stepFor(9, policy)).toBe(200);
  });

  it("stops early when max_attempts is smaller than the matrix", () => {
    expect(schedule(retryPolicy([100, 200, 300], 2))).toEqual([100]);
  });

  it("makes a single attempt with an empty matrix, and retries at once if more are configured", () => {
    expect(schedule(retryPolicy([]))).toEqual([]);
    expect(schedule(retryPolicy([], 3))).toEqual([0, 0]);
  });

  it("jitters down to 0.8× and up to 1.2× the step at the ends of the random range", () => {
    const policy = retryPolicy([1000]);
    expect(nextDelay({ attempt: 1, policy, random: low })).toEqual({ kind: "retry", delayMs: 800 });
    expect(nextDelay({ attempt: 1, policy, random: high })).toEqual({ kind: "retry", delayMs: 1200 });
  });

  it("stays within bounds even when the random source misbehaves", () => {
    const policy = retryPolicy([1000]);
    for (const r of [-5, 7, Number.NaN, Number.POSITIVE_INFINITY]) {
      const step = nextDelay({ attempt: 1, policy, random: () => r });
      expect(step.kind === "retry" && step.delayMs >= 800 && step.delayMs <= 1200).toBe(true);
    }
  });

  it("keeps every jittered delay within [0.8, 1.2]× its step", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 86_400_000 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (matrix, attempt, r) => {
          const policy = retryPolicy(matrix, 21);
          const step = stepFor(attempt, policy);
          const next = nextDelay({ attempt, policy, random: () => r });
          return next.kind === "retry" && next.delayMs >= step * 0.8 && next.delayMs <= step * 1.2 && Number.isInteger(next.delayMs);
        },
      ),
    );
  });

  it("honours a larger Retry-After, capped, and never waits less than the jittered step", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (stepMs, r, retryAfterMs, retryAfterCapMs) => {
          const policy = retryPolicy([stepMs]);
          const jittered = nextDelay({ attempt: 1, policy, random: () => r });
          const next = nextDelay({ attempt: 1, policy, random: () => r, retryAfterMs, retryAfterCapMs });
          if (jittered.kind !== "retry" || next.kind !== "retry") return false;
          return next.delayMs === Math.max(jittered.delayMs, Math.min(retryAfterMs, retryAfterCapMs));
        },
      ),
    );
  });

  it("waits for a Retry-After that is longer than the step", () => {
    const policy = retryPolicy([500]);
    expect(nextDelay({ attempt: 1, policy, random: mid, retryAfterMs: 30_000 })).toEqual({ kind: "retry", delayMs: 30_000 });
  });

  it("ignores a Retry-After shorter than the step", () => {
    const policy = retryPolicy([8000]);
    expect(nextDelay({ attempt: 1, policy, random: mid, retryAfterMs: 1000 })).toEqual({ kind: "retry", delayMs: 8000 });
  });

  it("caps a Retry-After at one hour by default", () => {
    const policy = retryPolicy([500]);
    expect(nextDelay({ attempt: 1, policy, random: mid, retryAfterMs: 86_400_000 })).toEqual({ kind: "retry", delayMs: 3_600_000 });
  });

  it("does not retry because of a Retry-After once attempts are used up", () => {
    const policy = retryPolicy([500]);
    expect(nextDelay({ attempt: 2, policy, random: mid, retryAfterMs: 1000 })).toEqual({ kind: "give_up" });
  });

  it("rejects an attempt number that is not a positive integer", () => {
    const policy = retryPolicy([500]);
    expect(() => nextDelay({ attempt: 0, policy, random: mid })).toThrow(RangeError);
    expect(() => nextDelay({ attempt: 1.5, policy, random: mid })).toThrow(RangeError);
  });
});

describe("toQueueDelaySeconds", () => {
  it("rounds 500 ms up to 1 s", () => {
    expect(toQueueDelaySeconds(500)).toBe(1);
  });

  it("rounds up any fraction of a second and keeps whole seconds", () => {
    expect(toQueueDelaySeconds(1000)).toBe(1);
    expect(toQueueDelaySeconds(1001)).toBe(2);
    expect(toQueueDelaySeconds(0)).toBe(0);
  });

  it("clamps to 0..86400 seconds", () => {
    expect(toQueueDelaySeconds(-20)).toBe(0);
    expect(toQueueDelaySeconds(Number.NaN)).toBe(0);
    expect(toQueueDelaySeconds(86_400_000)).toBe(86_400);
    expect(toQueueDelaySeconds(90_000_000)).toBe(86_400);
    expect(toQueueDelaySeconds(Number.POSITIVE_INFINITY)).toBe(86_400);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2024, 10, 6, 8, 49, 0); // Wed, 06 Nov 2024 08:49:00 GMT

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an IMF-fixdate relative to now", () => {
    expect(parseRetryAfter("Wed, 06 Nov 2024 08:49:37 GMT", now)).toBe(37_000);
  });

  it("reads the obsolete RFC 850 and asctime date forms", () => {
    expect(parseRetryAfter("Wednesday, 06-Nov-24 08:50:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed Nov  6 08:49:10 2024", now)).toBe(10_000);
  });

  it("reads a two-digit RFC 850 year as within 50 years of now", () => {
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBeUndefined(); // 1994: past
    expect(parseRetryAfter("Thursday, 06-Nov-70 08:49:00 GMT", now)).toBe(Date.UTC(2070, 10, 6, 8, 49) - now);
  });

  it("returns undefined for a date already past", () => {
    expect(parseRetryAfter("Wed, 06 Nov 2024 08:48:59 GMT", now)).toBeUndefined();
  });

  it("returns undefined for a missing, negative, fractional or garbage value", () => {
    for (const value of [null, "", "-5", "1.5", "soon", "120s", "2024-11-06T08:50:00Z", "Wed, 31 Feb 2024 08:49:37 GMT", "Wed, 06 Nov 2024 25:00:00 GMT"]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });

  it("never returns more than a safe integer for an absurd number of seconds", () => {
    expect(parseRetryAfter("9".repeat(400), now)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
