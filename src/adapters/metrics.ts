// Delivery metrics to Workers Analytics Engine, with bounded labels only (route, endpoint name,
// mode, outcome, status class — never ids). A no-op where the binding is absent or local.
import type { Metrics } from "../ports/metrics";

export function statusClass(status: number | null): string {
  if (status === null) return "none";
  if (status < 100 || status > 599) return "other";
  return `${Math.floor(status / 100)}xx`;
}

/**
 * blobs: [route, endpoint, mode, outcome, status class]; doubles: [latency ms, attempt, 1];
 * index: endpoint (the sampling key). Queries: docs/observability.md.
 */
export function analyticsMetrics(dataset: AnalyticsEngineDataset | undefined): Metrics {
  return {
    delivery(m) {
      try {
        dataset?.writeDataPoint({
          blobs: [m.route, m.endpoint, m.mode, m.outcome, statusClass(m.status)],
          doubles: [m.latencyMs, m.attempt, 1],
          indexes: [m.endpoint.slice(0, 96)],
        });
      } catch {
        // Metrics never fail a delivery.
      }
    },
  };
}
