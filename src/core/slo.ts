// Error-budget burn rates (multi-window, multi-burn-rate alerting as in the Google SRE workbook):
// from per-minute delivered/failed counts, is an endpoint burning its availability budget too fast?

export interface MinuteCounts {
  /** Start of the minute, ms since epoch. */
  minute: number;
  good: number;
  bad: number;
}

export interface BurnRule {
  name: "fast" | "slow";
  longWindowMin: number;
  shortWindowMin: number;
  /** Burn rate (error ratio ÷ budget) at or above which both windows must be. */
  threshold: number;
}

/** Windows fit the 2 h of per-minute stats the endpoint guard keeps. */
export const DEFAULT_BURN_RULES: readonly BurnRule[] = [
  { name: "fast", longWindowMin: 60, shortWindowMin: 5, threshold: 14.4 },
  { name: "slow", longWindowMin: 120, shortWindowMin: 30, threshold: 6 },
];

export const DEFAULT_OBJECTIVE = 0.99;
/** Fewer calls than this in a window say nothing about a budget. */
export const MIN_CALLS = 20;

export function burnRate(counts: readonly MinuteCounts[], now: number, windowMin: number, objective: number): number | null {
  const since = now - windowMin * 60_000;
  let good = 0;
  let bad = 0;
  for (const c of counts) {
    if (c.minute + 60_000 <= since || c.minute > now) continue;
    good += c.good;
    bad += c.bad;
  }
  const total = good + bad;
  if (total < MIN_CALLS) return null;
  const budget = 1 - objective;
  if (budget <= 0) return bad > 0 ? Number.POSITIVE_INFINITY : 0;
  return bad / total / budget;
}

export interface BurnVerdict {
  rule: BurnRule["name"];
  longRate: number;
  shortRate: number;
}

/** The first rule whose long and short windows both burn at or above its threshold, or null. */
export function budgetBurning(counts: readonly MinuteCounts[], now: number, objective = DEFAULT_OBJECTIVE, rules: readonly BurnRule[] = DEFAULT_BURN_RULES): BurnVerdict | null {
  for (const rule of rules) {
    const longRate = burnRate(counts, now, rule.longWindowMin, objective);
    const shortRate = burnRate(counts, now, rule.shortWindowMin, objective);
    if (longRate !== null && shortRate !== null && longRate >= rule.threshold && shortRate >= rule.threshold) {
      return { rule: rule.name, longRate, shortRate };
    }
  }
  return null;
}
