// The soak's accounting (tools/soak/ledger.ts): the ledger balances only when every accepted event was
// delivered or dead-lettered exactly once, and the memory trend's slope is a plain least-squares fit.
import { describe, expect, it } from "vitest";
import { ledger, slope, trend } from "../../tools/soak/ledger";

describe("soak ledger", () => {
  it("balances when accepted = delivered + dead-lettered", () => {
    const l = ledger({
      accepted: new Set(["a", "b", "c"]),
      delivered: new Map([
        ["a", 1],
        ["b", 1],
      ]),
      deadLettered: new Set(["c"]),
    });
    expect(l).toMatchObject({ accepted: 3, delivered: 2, deadLettered: 1, lost: 0, duplicates: 0, both: 0, unmatched: 0, balanced: true });
  });

  it("counts lost events, duplicates, events both delivered and dead-lettered, and unmatched ones", () => {
    const l = ledger({
      accepted: new Set(["a", "b", "c", "d"]),
      delivered: new Map([
        ["a", 2],
        ["b", 1],
        ["x", 1],
      ]),
      deadLettered: new Set(["b", "y"]),
    });
    expect(l).toMatchObject({ lost: 2, duplicates: 1, both: 1, unmatched: 2, balanced: false });
    expect(l.lostSample).toEqual(["c", "d"]);
  });
});

describe("memory trend", () => {
  it("fits the slope of a line exactly and ignores the warm-up", () => {
    const points = [0, 60, 120, 180, 240].map((x) => ({ x, y: 100 + x / 60 }));
    expect(slope(points)).toBeCloseTo(1 / 60, 12);
    const t = trend([{ x: 0, y: 10 }, ...points.slice(2)], 120);
    expect(t.slopePerMin).toBeCloseTo(1, 9);
    expect(t.first).toBe(102);
    expect(t.last).toBe(104);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
  });
});
