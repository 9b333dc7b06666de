// success_log_sample_rate: successful per-attempt lines are kept with that probability and carry the
// rate; failures are always logged, and at rate 1 nothing changes.
import { afterEach, describe, expect, it } from "vitest";
import { logSampled, sampleSuccess, setLogSink } from "../../src/log";

const lines: string[] = [];
afterEach(() => {
  lines.length = 0;
  setLogSink(undefined);
});

function run(ok: boolean, rate: number, draws: number[]): Array<Record<string, unknown>> {
  setLogSink((line) => lines.push(line));
  let i = 0;
  const random = () => draws[i++ % draws.length] ?? 0;
  for (let n = 0; n < draws.length; n++) logSampled(sampleSuccess(ok, rate, random), "info", "delivery_attempt", { outcome: ok ? "delivered" : "retry" });
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("success log sampling", () => {
  it("keeps a success when the draw is below the rate, with the rate on the line", () => {
    const kept = run(true, 0.25, [0.1, 0.3, 0.9, 0.2]);
    expect(kept).toHaveLength(2);
    expect(kept.every((l) => l["sample_rate"] === 0.25 && l["outcome"] === "delivered")).toBe(true);
  });

  it("never samples failures", () => {
    const kept = run(false, 0.01, [0.9, 0.99, 0.5]);
    expect(kept).toHaveLength(3);
    expect(kept.every((l) => l["sample_rate"] === undefined)).toBe(true);
  });

  it("logs every success without a sample_rate field at rate 1", () => {
    const kept = run(true, 1, [0.999, 0.5]);
    expect(kept).toHaveLength(2);
    expect(kept.every((l) => !("sample_rate" in l))).toBe(true);
  });
});
