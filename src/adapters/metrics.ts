// Delivery metrics to Workers Analytics Engine, with bounded labels only (route, endpoint name,
// mode, outcome, status class — never ids), sampled by metrics_sample_rate. A no-op where the binding
// is absent or local.
import type { Metrics } from "../ports/metrics";

export function statusClass(status: number | null): string {
  if (status === null) return "none";
  if (status < 100 || status > 599) return "other";
  return `${Math.floor(status / 100)}xx`;
}

export interface MetricsSampling {
  /** `metrics_sample_rate` (0, 1]: the share of data points written (for > 10k events/s). */
  rate: number;
  random: () => number;
}

/**
 * blobs: [route, endpoint, mode, outcome, status class]; doubles: [latency ms, attempt, weight];
 * index: endpoint (Analytics Engine's own sampling key). With `metrics_sample_rate` r < 1 a point is
 * written with probability r and weight 1/r, so `SUM(double3)` still estimates counts. Queries:
 * docs/observability.md.
 */
export function analyticsMetrics(dataset: AnalyticsEngineDataset | undefined, sampling: MetricsSampling = { rate: 1, random: () => 0 }): Metrics {
  const rate = sampling.rate > 0 && sampling.rate <= 1 ? sampling.rate : 1;
  return {
    delivery(m) {
      if (rate < 1 && sampling.random() >= rate) return;
      try {
        dataset?.writeDataPoint({
          blobs: [m.route, m.endpoint, m.mode, m.outcome, statusClass(m.status)],
          doubles: [m.latencyMs, m.attempt, 1 / rate],
          indexes: [m.endpoint.slice(0, 96)],
        });
      } catch {
        // Metrics never fail a delivery.
      }
    },
  };
}
