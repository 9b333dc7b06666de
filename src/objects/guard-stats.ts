// Per-endpoint delivery stats inside the EndpointGuard object: per-minute buckets per route
// (delivered, failed, dead-lettered, filtered, latency histogram), schema violations per minute, and
// each route's backlog (accepted, not yet delivered or dead-lettered). SQLite tables, kept 2 hours.
import type { CallReport } from "../core/endpoint-report";
import { emptyHistogram, merge, percentile, record, type Histogram } from "../core/latency";
import type { RouteStats } from "../ports/guard";

const STATS_KEEP_MS = 2 * 3_600_000;

export interface Bucket {
  delivered: number;
  failed: number;
  dead: number;
  filtered: number;
  hist: Histogram;
}

export interface LastHour {
  total: Bucket;
  routes: Map<string, Bucket>;
  perMinute: Map<number, { delivered: number; failed: number }>;
  violations: Record<string, number>;
}

const emptyBucket = (): Bucket => ({ delivered: 0, failed: 0, dead: 0, filtered: 0, hist: emptyHistogram() });

export class GuardStats {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS backlog (route TEXT PRIMARY KEY, count INTEGER NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS minutes (minute INTEGER NOT NULL, route TEXT NOT NULL, delivered INTEGER NOT NULL,
      failed INTEGER NOT NULL, dead INTEGER NOT NULL, hist TEXT NOT NULL, PRIMARY KEY (minute, route))`);
    sql.exec("CREATE TABLE IF NOT EXISTS schema_violations (minute INTEGER NOT NULL, route TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (minute, route))");
    // Objects created before fan-out have no `filtered` column yet.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('minutes')").toArray();
    if (!columns.some((c) => c.name === "filtered")) sql.exec("ALTER TABLE minutes ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0");
  }

  /** `count` dead letters of a route at `at`; they settle its backlog too. */
  recordDead(route: string, at: number, count: number): void {
    const bucket = this.loadBucket(minuteOf(at), route);
    bucket.dead += count;
    this.storeBucket(minuteOf(at), route, bucket);
    this.settle(route, count);
  }

  /** Events this endpoint's filter left out, counted in the current minute's stats. */
  countFiltered(filtered: Readonly<Record<string, number>>, now: number): void {
    for (const [route, n] of Object.entries(filtered)) {
      if (n <= 0) continue;
      const bucket = this.loadBucket(minuteOf(now), route);
      bucket.filtered += n;
      this.storeBucket(minuteOf(now), route, bucket);
    }
  }

  /** Accepted events add to a route's backlog; async deliveries and dead letters settle it (never below 0). */
  countBacklog(accepted: Readonly<Record<string, number>>, reports: readonly CallReport[]): void {
    for (const [route, n] of Object.entries(accepted)) {
      if (n > 0) this.sql.exec("INSERT INTO backlog (route, count) VALUES (?, ?) ON CONFLICT(route) DO UPDATE SET count = count + excluded.count", route, n);
    }
    const settled = new Map<string, number>();
    for (const r of reports) if (r.mode === "async" && r.delivered) settled.set(r.route, (settled.get(r.route) ?? 0) + 1);
    for (const [route, n] of settled) this.settle(route, n);
  }

  backlog(): Record<string, number> {
    const backlog: Record<string, number> = {};
    for (const row of this.sql.exec<{ route: string; count: number }>("SELECT route, count FROM backlog WHERE count > 0")) backlog[row.route] = row.count;
    return backlog;
  }

  /** Events refused by a route's schema at ingress, per minute (docs/contract.md §9). */
  countViolations(byRoute: Readonly<Record<string, number>>, now: number): void {
    const entries = Object.entries(byRoute).filter(([, n]) => n > 0);
    if (entries.length === 0) return;
    for (const [route, n] of entries) {
      this.sql.exec(
        "INSERT INTO schema_violations (minute, route, count) VALUES (?, ?, ?) ON CONFLICT(minute, route) DO UPDATE SET count = count + excluded.count",
        minuteOf(now),
        route,
        n,
      );
    }
    this.sql.exec("DELETE FROM schema_violations WHERE minute < ?", now - STATS_KEEP_MS);
  }

  recordReports(reports: readonly CallReport[], now: number): void {
    if (reports.length === 0) return;
    const grouped = new Map<string, { minute: number; route: string; bucket: Bucket }>();
    for (const r of reports) {
      const minute = minuteOf(r.at);
      const id = `${minute}|${r.route}`;
      const entry = grouped.get(id) ?? { minute, route: r.route, bucket: emptyBucket() };
      if (r.delivered) entry.bucket.delivered += 1;
      else entry.bucket.failed += 1;
      record(entry.bucket.hist, r.latencyMs);
      grouped.set(id, entry);
    }
    for (const { minute, route, bucket } of grouped.values()) {
      const stored = this.loadBucket(minute, route);
      stored.delivered += bucket.delivered;
      stored.failed += bucket.failed;
      merge(stored.hist, bucket.hist);
      this.storeBucket(minute, route, stored);
    }
    this.sql.exec("DELETE FROM minutes WHERE minute < ?", now - STATS_KEEP_MS);
  }

  /** The last hour per route and in total, the last two hours per minute, and schema violations. */
  lastHour(now: number): LastHour {
    const since = minuteOf(now - 3_600_000);
    const rows = this.sql
      .exec<{ minute: number; route: string; delivered: number; failed: number; dead: number; filtered: number; hist: string }>(
        "SELECT minute, route, delivered, failed, dead, filtered, hist FROM minutes WHERE minute > ? ORDER BY minute",
        minuteOf(now - STATS_KEEP_MS),
      )
      .toArray();
    const routes = new Map<string, Bucket>();
    const total = emptyBucket();
    const perMinute = new Map<number, { delivered: number; failed: number }>();
    for (const row of rows) {
      const m = perMinute.get(row.minute) ?? { delivered: 0, failed: 0 };
      m.delivered += row.delivered;
      m.failed += row.failed;
      perMinute.set(row.minute, m);
      if (row.minute <= since) continue;
      const b = routes.get(row.route) ?? emptyBucket();
      const hist = JSON.parse(row.hist) as number[];
      for (const target of [b, total]) {
        target.delivered += row.delivered;
        target.failed += row.failed;
        target.dead += row.dead;
        target.filtered += row.filtered;
        merge(target.hist, hist);
      }
      routes.set(row.route, b);
    }
    return { total, routes, perMinute, violations: this.violationsSince(since) };
  }

  private violationsSince(since: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.sql.exec<{ route: string; n: number }>("SELECT route, SUM(count) AS n FROM schema_violations WHERE minute > ? GROUP BY route", since))
      out[row.route] = row.n;
    return out;
  }

  private settle(route: string, n: number): void {
    this.sql.exec("UPDATE backlog SET count = MAX(0, count - ?) WHERE route = ?", n, route);
  }

  private loadBucket(minute: number, route: string): Bucket {
    const row = this.sql
      .exec<{ delivered: number; failed: number; dead: number; filtered: number; hist: string }>(
        "SELECT delivered, failed, dead, filtered, hist FROM minutes WHERE minute = ? AND route = ?",
        minute,
        route,
      )
      .toArray()[0];
    if (row === undefined) return emptyBucket();
    return { delivered: row.delivered, failed: row.failed, dead: row.dead, filtered: row.filtered, hist: JSON.parse(row.hist) as number[] };
  }

  private storeBucket(minute: number, route: string, b: Bucket): void {
    this.sql.exec(
      // An upsert rewrites an existing minute's row in place (1 row written; INSERT OR REPLACE wrote 2).
      `INSERT INTO minutes (minute, route, delivered, failed, dead, filtered, hist) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, route) DO UPDATE SET delivered = excluded.delivered, failed = excluded.failed, dead = excluded.dead,
       filtered = excluded.filtered, hist = excluded.hist`,
      minute,
      route,
      b.delivered,
      b.failed,
      b.dead,
      b.filtered,
      JSON.stringify(b.hist),
    );
  }
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

export function summarize(b: Bucket): Omit<RouteStats, "route"> {
  const attempts = b.delivered + b.failed;
  return {
    delivered: b.delivered,
    failed: b.failed,
    dead_lettered: b.dead,
    filtered: b.filtered,
    success_rate: attempts === 0 ? null : b.delivered / attempts,
    p50_ms: percentile(b.hist, 0.5),
    p95_ms: percentile(b.hist, 0.95),
  };
}
