// Delivery lag per route inside the EndpointGuard object (docs/contract.md §7, `consumer_lag`): a
// per-minute histogram of now − accepted_at at attempt start, plus the exact maximum, from the
// batched call reports. One row written per (minute, route) per batch (an upsert), like the delivery stats.
import type { CallReport } from "../core/endpoint-report";
import { emptyHistogram, LAG_BOUNDS_MS, merge, percentile, record } from "../core/latency";

const KEEP_MS = 2 * 3_600_000;

export interface LagSummary {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export class LagStats {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS lag_minutes (minute INTEGER NOT NULL, route TEXT NOT NULL, hist TEXT NOT NULL, max INTEGER NOT NULL, PRIMARY KEY (minute, route))");
  }

  record(reports: readonly CallReport[], now: number): void {
    const grouped = new Map<string, { minute: number; route: string; hist: number[]; max: number }>();
    for (const r of reports) {
      if (r.record === undefined) continue;
      const minute = Math.floor(r.at / 60_000) * 60_000;
      const key = `${minute}|${r.route}`;
      const entry = grouped.get(key) ?? { minute, route: r.route, hist: emptyHistogram(LAG_BOUNDS_MS), max: 0 };
      const lag = Math.max(0, Math.round(r.record.lagMs));
      record(entry.hist, lag, LAG_BOUNDS_MS);
      entry.max = Math.max(entry.max, lag);
      grouped.set(key, entry);
    }
    for (const g of grouped.values()) {
      const row = this.sql.exec<{ hist: string; max: number }>("SELECT hist, max FROM lag_minutes WHERE minute = ? AND route = ?", g.minute, g.route).toArray()[0];
      if (row !== undefined) merge(g.hist, JSON.parse(row.hist) as number[]);
      this.sql.exec(
        "INSERT INTO lag_minutes (minute, route, hist, max) VALUES (?, ?, ?, ?) ON CONFLICT (minute, route) DO UPDATE SET hist = excluded.hist, max = excluded.max",
        g.minute,
        g.route,
        JSON.stringify(g.hist),
        Math.max(g.max, row?.max ?? 0),
      );
    }
    if (grouped.size > 0) this.sql.exec("DELETE FROM lag_minutes WHERE minute < ?", now - KEEP_MS);
  }

  /** Per route over the hour before `now`. */
  lastHour(now: number): Map<string, LagSummary> {
    const since = Math.floor((now - 3_600_000) / 60_000) * 60_000;
    const routes = new Map<string, { hist: number[]; max: number }>();
    for (const row of this.sql.exec<{ route: string; hist: string; max: number }>("SELECT route, hist, max FROM lag_minutes WHERE minute > ?", since)) {
      const entry = routes.get(row.route) ?? { hist: emptyHistogram(LAG_BOUNDS_MS), max: 0 };
      merge(entry.hist, JSON.parse(row.hist) as number[]);
      entry.max = Math.max(entry.max, row.max);
      routes.set(row.route, entry);
    }
    const out = new Map<string, LagSummary>();
    for (const [route, e] of routes) out.set(route, { p50: percentile(e.hist, 0.5, LAG_BOUNDS_MS), p95: percentile(e.hist, 0.95, LAG_BOUNDS_MS), max: e.max });
    return out;
  }
}
