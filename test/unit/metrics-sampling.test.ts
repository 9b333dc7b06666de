// metrics_sample_rate (adapters/metrics.ts): a data point is written with that probability and weight
// 1/rate, labels stay the bounded five; the default writes every point with weight 1.
import { describe, expect, it } from "vitest";
import { analyticsMetrics } from "../../src/adapters/metrics";
import { parseConfig } from "../../src/config/load";

function dataset(): { ds: AnalyticsEngineDataset; points: AnalyticsEngineDataPoint[] } {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, ds: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void (p && points.push(p)) } };
}
const metric = { route: "user.*", endpoint: "profiles", mode: "async" as const, outcome: "delivered", status: 204, latencyMs: 12, attempt: 1 };

describe("metrics_sample_rate", () => {
  it("writes about rate × events, each weighted 1/rate, with the five bounded labels", () => {
    const { ds, points } = dataset();
    let i = 0;
    const m = analyticsMetrics(ds, { rate: 0.25, random: () => (i++ % 100) / 100 });
    for (let n = 0; n < 10_000; n += 1) m.delivery(metric);
    expect(points).toHaveLength(2500);
    expect(points[0]).toEqual({ blobs: ["user.*", "profiles", "async", "delivered", "2xx"], doubles: [12, 1, 4], indexes: ["profiles"] });
  });
  it("writes every point with weight 1 by default", () => {
    const { ds, points } = dataset();
    const m = analyticsMetrics(ds);
    for (let n = 0; n < 10; n += 1) m.delivery(metric);
    expect(points.map((p) => p.doubles?.[2])).toEqual(Array(10).fill(1));
  });
  it("is a config field in (0, 1], default 1", () => {
    const base = { sources: {}, endpoints: { e: { url: "https://e.example.com/" } }, routing_rules: [] };
    const ok = parseConfig(base);
    expect(ok.ok && ok.config.metricsSampleRate).toBe(1);
    const bad = parseConfig({ ...base, metrics_sample_rate: 0 });
    expect(bad.ok ? [] : bad.problems).toEqual(["metrics_sample_rate: must be a number in (0, 1]"]);
  });
});
