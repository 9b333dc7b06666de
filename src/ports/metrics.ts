// Delivery metrics with bounded labels only (route, endpoint name, mode, outcome, status class — never ids).

export interface DeliveryMetric {
  route: string;
  endpoint: string;
  mode: "sync" | "async";
  /** delivered | retry | dead_letter | wait | answered | failed | fallback */
  outcome: string;
  status: number | null;
  latencyMs: number;
  attempt: number;
}

export interface Metrics {
  /** Never throws and never fails a delivery. */
  delivery(metric: DeliveryMetric): void;
}
