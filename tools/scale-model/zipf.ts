// Rates per route under a Zipf skew: route i (1-based) gets total × i^-s / H(n, s), with the exponent
// found so that the hottest route carries a given share (50k/s over 200 routes, one at 20k/s: 40 %).

/** Generalised harmonic number H(n, s) = Σ i^-s. */
export function harmonic(n: number, s: number): number {
  let h = 0;
  for (let i = 1; i <= n; i++) h += i ** -s;
  return h;
}

/** Route rates, hottest first, summing to `total`. */
export function zipfSplit(total: number, n: number, s: number): number[] {
  if (n < 1) return [];
  const h = harmonic(n, s);
  return Array.from({ length: n }, (_, i) => (total * (i + 1) ** -s) / h);
}

/** The exponent s at which the hottest of n routes carries `share` of the total (bisection). */
export function exponentForTopShare(n: number, share: number): number {
  if (n <= 1 || share <= 1 / n) return 0;
  if (share >= 1) return Infinity;
  let lo = 0;
  let hi = 20;
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (1 / harmonic(n, mid) < share) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
