// Latency histograms with fixed log-spaced buckets: mergeable counts, percentiles without samples.

/** Upper bounds in ms; the last bucket holds everything above. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000,
];

export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
}

export function bucketOf(latencyMs: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    const bound = LATENCY_BOUNDS_MS[i];
    if (bound !== undefined && latencyMs <= bound) return i;
  }
  return LATENCY_BOUNDS_MS.length;
}

export function record(h: Histogram, latencyMs: number): void {
  const i = bucketOf(Math.max(0, latencyMs));
  h[i] = (h[i] ?? 0) + 1;
}

export function merge(into: Histogram, from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The upper bound of the bucket holding the q-quantile (0 < q ≤ 1), or null when empty. */
export function percentile(h: readonly number[], q: number): number | null {
  const total = h.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS_MS[i] ?? (LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] ?? 0) * 2;
  }
  return null;
}
