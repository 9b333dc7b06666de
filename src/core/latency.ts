// Latency (and delivery lag) histograms with fixed log-spaced buckets: mergeable counts, percentiles
// without samples.

/** Upper bounds in ms; the last bucket holds everything above. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000,
];

/** Delivery lag (now − accepted_at at attempt start): up to a day, since events may wait for retries or a pause. */
export const LAG_BOUNDS_MS: readonly number[] = [
  10, 50, 100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

export type Histogram = number[];

export function emptyHistogram(bounds: readonly number[] = LATENCY_BOUNDS_MS): Histogram {
  return new Array<number>(bounds.length + 1).fill(0);
}

export function bucketOf(latencyMs: number, bounds: readonly number[] = LATENCY_BOUNDS_MS): number {
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i];
    if (bound !== undefined && latencyMs <= bound) return i;
  }
  return bounds.length;
}

export function record(h: Histogram, latencyMs: number, bounds: readonly number[] = LATENCY_BOUNDS_MS): void {
  const i = bucketOf(Math.max(0, latencyMs), bounds);
  h[i] = (h[i] ?? 0) + 1;
}

export function merge(into: Histogram, from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The upper bound of the bucket holding the q-quantile (0 < q ≤ 1), or null when empty. */
export function percentile(h: readonly number[], q: number, bounds: readonly number[] = LATENCY_BOUNDS_MS): number | null {
  const total = h.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] ?? 0;
    if (seen >= rank) return bounds[i] ?? (bounds[bounds.length - 1] ?? 0) * 2;
  }
  return null;
}
