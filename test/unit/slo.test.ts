import { describe, expect, it } from "vitest";
import { budgetBurning, burnRate, type MinuteCounts } from "../../src/core/slo";

const NOW = 1_800_000_000_000;
const minute = (ago: number) => Math.floor((NOW - ago * 60_000) / 60_000) * 60_000;

/** `perMinute` calls a minute over the last `minutes`, with `failRate` of them failing. */
function traffic(minutes: number, perMinute: number, failRate: number): MinuteCounts[] {
  return Array.from({ length: minutes }, (_, i) => {
    const bad = Math.round(perMinute * failRate);
    return { minute: minute(i), good: perMinute - bad, bad };
  });
}

describe("error-budget burn rate", () => {
  it("fires the fast alert for an endpoint failing 20 % of calls against a 99 % objective", () => {
    const verdict = budgetBurning(traffic(120, 100, 0.2), NOW);
    expect(verdict?.rule).toBe("fast");
    expect(verdict?.longRate).toBeCloseTo(20);
  });

  it("does not fire for an endpoint failing 0.5 % of calls", () => {
    expect(budgetBurning(traffic(120, 200, 0.005), NOW)).toBeNull();
  });

  it("needs both windows: a burst in the last 5 minutes after a clean hour does not fire", () => {
    const counts = [...traffic(5, 100, 1).map((c) => c), ...traffic(120, 100, 0).slice(5)];
    expect(burnRate(counts, NOW, 5, 0.99)).toBeGreaterThan(14.4);
    expect(budgetBurning(counts, NOW)).toBeNull();
  });

  it("fires the slow alert for a steady 7 % failure rate", () => {
    expect(budgetBurning(traffic(120, 100, 0.07), NOW)?.rule).toBe("slow");
  });

  it("says nothing with too few calls", () => {
    expect(burnRate(traffic(60, 0, 0), NOW, 60, 0.99)).toBeNull();
    expect(budgetBurning([{ minute: minute(0), good: 0, bad: 5 }], NOW)).toBeNull();
  });

  it("ignores minutes outside the window", () => {
    const old = [{ minute: minute(200), good: 0, bad: 1000 }, ...traffic(60, 100, 0)];
    expect(burnRate(old, NOW, 60, 0.99)).toBe(0);
  });
});
