// The soak's pure accounting: the ledger of accepted events against deliveries and dead letters
// (nothing lost, nothing twice), and the trend of a sampled series (least-squares slope).

export interface LedgerInput {
  /** Idempotency keys the gateway answered 202 for. */
  accepted: ReadonlySet<string>;
  /** Key → number of 2xx deliveries the consumer recorded. */
  delivered: ReadonlyMap<string, number>;
  /** Keys with a row in the dead-letter store. */
  deadLettered: ReadonlySet<string>;
}

export interface Ledger {
  accepted: number;
  delivered: number;
  deadLettered: number;
  /** Accepted, but neither delivered nor dead-lettered. */
  lost: number;
  /** Delivered with a 2xx more than once (at-least-once repeats). */
  duplicates: number;
  /** Both delivered and dead-lettered. */
  both: number;
  /** Delivered or dead-lettered without a 202 seen by the load generator (e.g. its request timed out). */
  unmatched: number;
  /** A few lost keys, for a first look. */
  lostSample: string[];
  /** accepted = delivered + dead-lettered, nothing lost, no duplicates. */
  balanced: boolean;
}

export function ledger(input: LedgerInput): Ledger {
  let delivered = 0;
  let dead = 0;
  let lost = 0;
  let both = 0;
  const lostSample: string[] = [];
  for (const key of input.accepted) {
    const d = input.delivered.has(key);
    const x = input.deadLettered.has(key);
    if (d) delivered++;
    if (x) dead++;
    if (d && x) both++;
    if (!d && !x) {
      lost++;
      if (lostSample.length < 5) lostSample.push(key);
    }
  }
  let duplicates = 0;
  let unmatched = 0;
  for (const [key, n] of input.delivered) {
    if (n > 1) duplicates++;
    if (!input.accepted.has(key)) unmatched++;
  }
  for (const key of input.deadLettered) if (!input.accepted.has(key)) unmatched++;
  const accepted = input.accepted.size;
  return {
    accepted,
    delivered,
    deadLettered: dead,
    lost,
    duplicates,
    both,
    unmatched,
    lostSample,
    balanced: lost === 0 && duplicates === 0 && both === 0 && accepted === delivered + dead,
  };
}

export interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of y over x (0 for fewer than two distinct x). */
export function slope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface Trend {
  /** MiB per minute over the samples after the warm-up. */
  slopePerMin: number;
  first: number;
  last: number;
  min: number;
  max: number;
  /** Mean of the first and of the last third of the samples after the warm-up. */
  firstThird: number;
  lastThird: number;
}

/** The trend of samples `{ x: seconds, y: MiB }`, ignoring those before `warmupS`. */
export function trend(samples: readonly Point[], warmupS: number): Trend {
  const kept = samples.filter((p) => p.x >= warmupS);
  const use = kept.length >= 2 ? kept : samples;
  const ys = use.map((p) => p.y);
  const third = Math.max(1, Math.floor(use.length / 3));
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    slopePerMin: slope(use) * 60,
    first: ys[0] ?? 0,
    last: ys[ys.length - 1] ?? 0,
    min: ys.length === 0 ? 0 : Math.min(...ys),
    max: ys.length === 0 ? 0 : Math.max(...ys),
    firstThird: mean(ys.slice(0, third)),
    lastThird: mean(ys.slice(-third)),
  };
}
