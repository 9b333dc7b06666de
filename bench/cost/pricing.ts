// Pure arithmetic of `npm run cost`: billable quantities per event × bench/prices.json → US dollars
// per million events, line by line. Marginal prices (beyond the plan's included monthly amounts).

export const METERS = [
  "workers.requests",
  "workers.cpu_ms",
  "do.requests",
  "do.duration_gb_s",
  "do.rows_read",
  "do.rows_written",
  "do.storage_gb_month",
  "queues.operations",
  "d1.rows_read",
  "d1.rows_written",
  "d1.storage_gb_month",
  "r2.class_a",
  "r2.class_b",
  "r2.storage_gb_month",
  "ae.data_points",
  "logs.events",
  "observability.ingest_gb",
  "observability.storage_gb_month",
] as const;
export type Meter = (typeof METERS)[number];

/** Billable quantity of each meter for one event (a meter left out is zero). */
export type PerEvent = Partial<Record<Meter, number>>;

export interface Price {
  meter: Meter;
  what: string;
  usd: number;
  /** `usd` is for this many units. */
  per: number;
  included_monthly: number;
  /** Valid from / until these dates (inclusive, YYYY-MM-DD), when the price changes on a known date. */
  from?: string;
  until?: string;
  /** A caveat of the source (e.g. a published price not billed yet). */
  note?: string;
  source: string;
  /** When the source was read (YYYY-MM-DD). */
  date: string;
}

export interface Sourced {
  value: number;
  what: string;
  source?: string;
  date?: string;
}

export interface PriceTable {
  plan: string;
  currency: string;
  prices: Price[];
  constants: Record<string, Sourced>;
  assumptions: Record<string, Sourced>;
}

/** The prices in force on `day` (YYYY-MM-DD), one per meter. */
export function pricesOn(table: PriceTable, day: string): Map<Meter, Price> {
  const out = new Map<Meter, Price>();
  for (const p of table.prices) {
    if ((p.from !== undefined && day < p.from) || (p.until !== undefined && day > p.until)) continue;
    if (out.has(p.meter)) throw new Error(`two prices for ${p.meter} on ${day}`);
    out.set(p.meter, p);
  }
  return out;
}

export interface CostLine {
  meter: Meter;
  perEvent: number;
  usdPerMillionEvents: number;
}

export interface Cost {
  lines: CostLine[];
  usdPerMillionEvents: number;
  /** Meters with a quantity but no price on that day (charged 0). */
  unpriced: Meter[];
}

/** $ per million events: Σ quantity per event × 10⁶ × usd / per, over the meters priced that day. */
export function costPerMillion(perEvent: PerEvent, prices: Map<Meter, Price>): Cost {
  const lines: CostLine[] = [];
  const unpriced: Meter[] = [];
  for (const meter of METERS) {
    const quantity = perEvent[meter] ?? 0;
    const price = prices.get(meter);
    if (price === undefined) {
      if (quantity > 0) unpriced.push(meter);
      continue;
    }
    lines.push({ meter, perEvent: quantity, usdPerMillionEvents: (quantity * 1e6 * price.usd) / price.per });
  }
  return { lines, usdPerMillionEvents: lines.reduce((sum, l) => sum + l.usdPerMillionEvents, 0), unpriced };
}

/** Reads a sourced number of the table, failing loudly when it is missing. */
export function sourced(table: PriceTable, group: "constants" | "assumptions", name: string): number {
  const entry = table[group][name];
  if (entry === undefined) throw new Error(`bench/prices.json has no ${group}.${name}`);
  return entry.value;
}
