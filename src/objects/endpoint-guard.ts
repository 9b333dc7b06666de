// Durable Object, one per endpoint: the authoritative circuit breaker (state in SQLite, transitions
// from core/breaker), half-open probe leases, the sum of in-flight calls reported by isolates, and
// per-minute delivery stats, the lifecycle (paused / quarantined, core/lifecycle) with its transition
// outbox, and the attempt log (a ring of the newest ATTEMPTS_KEPT attempts, written from the batched reports).
// Callers talk to it about once a second, not once a call (see docs/).
import { DurableObject } from "cloudflare:workers";
import { admit, initialBreaker, publicState, tick, transition, type BreakerConfig, type BreakerState } from "../core/breaker";
import { breakerEvent, type CallReport } from "../core/endpoint-report";
import { ACTIVE, NO_FAILURES, observe, pause, publicLifecycle, quarantine, resume, type FailureTrack, type Lifecycle, type QuarantineConfig } from "../core/lifecycle";
import { emptyHistogram, merge, percentile, record, type Histogram } from "../core/latency";
import type { AttemptLogEntry, AttemptPage, EndpointGuardRpc, GuardAdmission, GuardSnapshot, GuardSyncRequest, GuardView, LifecycleEvent, RouteStats } from "../ports/guard";
import { AttemptLog } from "./attempt-log";
import { LagStats } from "./lag-stats";

const ISOLATE_TTL_MS = 5_000;
const STATS_KEEP_MS = 2 * 3_600_000;
const NO_LAG = { p50: null, p95: null, max: null };

interface Bucket {
  delivered: number;
  failed: number;
  dead: number;
  filtered: number;
  hist: Histogram;
}

export class EndpointGuard extends DurableObject<unknown> implements EndpointGuardRpc {
  private readonly sql: SqlStorage;
  private breaker: BreakerState;
  private lifecycle: Lifecycle;
  private track: FailureTrack;
  private readonly log: AttemptLog;
  private readonly lag: LagStats;
  private readonly isolates = new Map<string, { inflight: number; seenAt: number }>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS probes (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS transitions (at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS backlog (route TEXT PRIMARY KEY, count INTEGER NOT NULL)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS minutes (minute INTEGER NOT NULL, route TEXT NOT NULL, delivered INTEGER NOT NULL,
      failed INTEGER NOT NULL, dead INTEGER NOT NULL, hist TEXT NOT NULL, PRIMARY KEY (minute, route))`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_violations (minute INTEGER NOT NULL, route TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (minute, route))");
    // Objects created before fan-out have no `filtered` column yet.
    const columns = this.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('minutes')").toArray();
    if (!columns.some((c) => c.name === "filtered")) this.sql.exec("ALTER TABLE minutes ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0");
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS lifecycle_events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, reason TEXT)",
    );
    this.log = new AttemptLog(this.sql);
    this.lag = new LagStats(this.sql);
    this.breaker = this.load("breaker") ?? initialBreaker();
    this.lifecycle = this.load("lifecycle") ?? ACTIVE;
    this.track = this.load("track") ?? NO_FAILURES;
  }

  private load<T>(key: string): T | undefined {
    const saved = this.sql.exec<{ v: string }>("SELECT v FROM kv WHERE k = ?", key).toArray()[0];
    return saved === undefined ? undefined : (JSON.parse(saved.v) as T);
  }

  private store(key: string, value: unknown): void {
    this.sql.exec("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", key, JSON.stringify(value));
  }

  sync(req: GuardSyncRequest): { view: GuardView; admission: GuardAdmission | null } {
    const now = Date.now();
    this.isolates.set(req.isolate, { inflight: req.inflight, seenAt: now });
    let state = this.expireProbes(this.breaker, now, req.cfg);
    for (const report of req.reports) {
      const event = breakerEvent(report.breaker);
      const wasOpen = state.kind === "open";
      if (event !== undefined) state = transition(state, event, report.at, req.cfg);
      this.observe(report, !wasOpen && isOpen(state), req.quarantine);
    }
    this.recordStats(req.reports);
    this.log.append(req.reports);
    this.lag.record(req.reports, now);
    this.countBacklog(req.accepted ?? {}, req.reports);
    this.countFiltered(req.filtered ?? {}, now);
    this.countViolations(req.schemaViolations ?? {}, now);
    let admission: GuardAdmission | null = null;
    if (req.admit) {
      const decided = admit(state, now, req.cfg);
      state = decided.state;
      admission = decided.admission;
      if (decided.admission.kind === "probe") {
        const probeId = crypto.randomUUID();
        this.sql.exec("INSERT INTO probes (id, expires_at) VALUES (?, ?)", probeId, now + req.probeLeaseMs);
        admission = { ...decided.admission, probeId };
      }
    } else {
      state = tick(state, now, req.cfg);
    }
    this.save(state, now);
    return { view: this.view(req.isolate, now), admission };
  }

  /** The outcome of a half-open probe, reported as soon as it is known. */
  probeDone(probeId: string, report: CallReport, cfg: BreakerConfig, isolate: string, inflight: number, quarantineCfg?: QuarantineConfig): GuardView {
    const now = Date.now();
    this.isolates.set(isolate, { inflight, seenAt: now });
    const held = this.sql.exec("DELETE FROM probes WHERE id = ? RETURNING id", probeId).toArray().length > 0;
    let state = this.breaker;
    const event = breakerEvent(report.breaker);
    if (held) state = transition(state, event ?? { kind: "probe_abandoned" }, now, cfg);
    this.observe(report, !isOpen(this.breaker) && isOpen(state), quarantineCfg);
    this.recordStats([report]);
    this.log.append([report]);
    this.lag.record([report], now);
    this.countBacklog({}, [report]);
    this.save(state, now);
    return this.view(isolate, now);
  }

  recordDeadLetter(route: string, at: number, count = 1): void {
    const bucket = this.loadBucket(minuteOf(at), route);
    bucket.dead += count;
    this.storeBucket(minuteOf(at), route, bucket);
    this.settle(route, count);
  }

  /** Events this endpoint's filter left out, counted in the current minute's stats. */
  private countFiltered(filtered: Readonly<Record<string, number>>, now: number): void {
    for (const [route, n] of Object.entries(filtered)) {
      if (n <= 0) continue;
      const bucket = this.loadBucket(minuteOf(now), route);
      bucket.filtered += n;
      this.storeBucket(minuteOf(now), route, bucket);
    }
  }

  reset(): void {
    this.sql.exec("DELETE FROM probes");
    this.save(initialBreaker(), Date.now());
  }

  pause(reason: string | null, now: number): Lifecycle {
    this.setLifecycle(pause(this.lifecycle, reason, now), now);
    return this.lifecycle;
  }

  /** Lifts a pause or a quarantine; the quarantine rules start counting afresh. */
  resume(now: number): Lifecycle {
    if (this.lifecycle.state !== "active") {
      this.track = NO_FAILURES;
      this.store("track", this.track);
    }
    this.setLifecycle(resume(this.lifecycle), now);
    return this.lifecycle;
  }

  takeLifecycleEvents(): LifecycleEvent[] {
    return this.sql
      .exec<{ at: number; from_state: string; to_state: string; reason: string | null }>("DELETE FROM lifecycle_events RETURNING at, from_state, to_state, reason")
      .toArray()
      .map((r) => ({ at: r.at, from: r.from_state as Lifecycle["state"], to: r.to_state as Lifecycle["state"], reason: r.reason }))
      .sort((a, b) => a.at - b.at);
  }

  attempts(limit: number, before: number | null): AttemptPage {
    return this.log.page(limit, before);
  }

  attemptsOf(messageId: string): AttemptLogEntry[] {
    return this.log.ofMessage(messageId);
  }

  /** The quarantine rules over one ended call (core/lifecycle); the track is written only when it changes. */
  private observe(report: CallReport, opened: boolean, cfg: QuarantineConfig | undefined): void {
    const seen = observe(this.track, { delivered: report.delivered, status: report.status ?? null, at: report.at, opened }, cfg);
    if (JSON.stringify(seen.track) !== JSON.stringify(this.track)) {
      this.track = seen.track;
      this.store("track", this.track);
    }
    if (seen.quarantine !== null) this.setLifecycle(quarantine(this.lifecycle, seen.quarantine, report.at), report.at);
  }

  private setLifecycle(next: Lifecycle, now: number): void {
    if (next.state === this.lifecycle.state) return;
    const reason = next.state === "paused" ? next.pauseReason : next.state === "quarantined" ? next.quarantineReason : null;
    this.sql.exec("INSERT INTO lifecycle_events (at, from_state, to_state, reason) VALUES (?, ?, ?, ?)", now, this.lifecycle.state, next.state, reason);
    this.lifecycle = next;
    this.store("lifecycle", next);
  }

  snapshot(cfg: BreakerConfig): GuardSnapshot {
    const now = Date.now();
    const since = minuteOf(now - 3_600_000);
    const rows = this.sql
      .exec<{ minute: number; route: string; delivered: number; failed: number; dead: number; filtered: number; hist: string }>(
        "SELECT minute, route, delivered, failed, dead, filtered, hist FROM minutes WHERE minute > ? ORDER BY minute",
        minuteOf(now - STATS_KEEP_MS),
      )
      .toArray();
    const routes = new Map<string, Bucket>();
    const total: Bucket = { delivered: 0, failed: 0, dead: 0, filtered: 0, hist: emptyHistogram() };
    const perMinute = new Map<number, { delivered: number; failed: number }>();
    for (const row of rows) {
      const m = perMinute.get(row.minute) ?? { delivered: 0, failed: 0 };
      m.delivered += row.delivered;
      m.failed += row.failed;
      perMinute.set(row.minute, m);
      if (row.minute <= since) continue;
      const b = routes.get(row.route) ?? { delivered: 0, failed: 0, dead: 0, filtered: 0, hist: emptyHistogram() };
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
    const lag = this.lag.lastHour(now);
    const transitions = this.sql.exec<{ at: number; from_state: string; to_state: string }>("SELECT at, from_state, to_state FROM transitions ORDER BY at DESC LIMIT 50").toArray();
    let inflight = 0;
    for (const entry of this.isolates.values()) if (now - entry.seenAt <= ISOLATE_TTL_MS) inflight += entry.inflight;
    return {
      breaker: publicState(this.breaker, now, cfg),
      lifecycle: publicLifecycle(this.lifecycle),
      inflight,
      transitions: transitions.map((t) => ({ at: new Date(t.at).toISOString(), from: t.from_state, to: t.to_state })),
      last_hour: {
        total: summarize(total),
        routes: [...routes].map(([route, b]) => ({ route, ...summarize(b), lag_ms: lag.get(route) ?? NO_LAG })),
        schema_violations: this.violationsSince(since),
      },
      per_minute: [...perMinute].map(([minute, m]) => ({ minute: new Date(minute).toISOString(), ...m })),
    };
  }

  private expireProbes(state: BreakerState, now: number, cfg: BreakerConfig): BreakerState {
    const expired = this.sql.exec("DELETE FROM probes WHERE expires_at <= ? RETURNING id", now).toArray().length;
    let next = state;
    for (let i = 0; i < expired; i++) next = transition(next, { kind: "probe_abandoned" }, now, cfg);
    return next;
  }

  private save(state: BreakerState, now: number): void {
    if (state.kind !== this.breaker.kind) {
      this.sql.exec("INSERT INTO transitions (at, from_state, to_state) VALUES (?, ?, ?)", now, this.breaker.kind, state.kind);
      this.sql.exec("DELETE FROM transitions WHERE at < (SELECT MIN(at) FROM (SELECT at FROM transitions ORDER BY at DESC LIMIT 200))");
    }
    if (JSON.stringify(state) !== JSON.stringify(this.breaker)) this.store("breaker", state);
    this.breaker = state;
  }

  private view(isolate: string, now: number): GuardView {
    let others = 0;
    for (const [id, entry] of this.isolates) {
      if (now - entry.seenAt > ISOLATE_TTL_MS) this.isolates.delete(id);
      else if (id !== isolate) others += entry.inflight;
    }
    const backlog: Record<string, number> = {};
    for (const row of this.sql.exec<{ route: string; count: number }>("SELECT route, count FROM backlog WHERE count > 0")) backlog[row.route] = row.count;
    return { breaker: this.breaker, othersInflight: others, backlog, now, lifecycle: this.lifecycle };
  }

  /** Accepted events add to a route's backlog; async deliveries and dead letters settle it (never below 0). */
  private countBacklog(accepted: Readonly<Record<string, number>>, reports: readonly CallReport[]): void {
    for (const [route, n] of Object.entries(accepted)) {
      if (n > 0) this.sql.exec("INSERT INTO backlog (route, count) VALUES (?, ?) ON CONFLICT(route) DO UPDATE SET count = count + excluded.count", route, n);
    }
    const settled = new Map<string, number>();
    for (const r of reports) if (r.mode === "async" && r.delivered) settled.set(r.route, (settled.get(r.route) ?? 0) + 1);
    for (const [route, n] of settled) this.settle(route, n);
  }

  /** Events refused by a route's schema at ingress, per minute (docs/contract.md §9). */
  private countViolations(byRoute: Readonly<Record<string, number>>, now: number): void {
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

  private violationsSince(since: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.sql.exec<{ route: string; n: number }>("SELECT route, SUM(count) AS n FROM schema_violations WHERE minute > ? GROUP BY route", since))
      out[row.route] = row.n;
    return out;
  }

  private settle(route: string, n: number): void {
    this.sql.exec("UPDATE backlog SET count = MAX(0, count - ?) WHERE route = ?", n, route);
  }

  private recordStats(reports: readonly CallReport[]): void {
    if (reports.length === 0) return;
    const grouped = new Map<string, { minute: number; route: string; bucket: Bucket }>();
    for (const r of reports) {
      const minute = minuteOf(r.at);
      const id = `${minute}|${r.route}`;
      const entry = grouped.get(id) ?? { minute, route: r.route, bucket: { delivered: 0, failed: 0, dead: 0, filtered: 0, hist: emptyHistogram() } };
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
    this.sql.exec("DELETE FROM minutes WHERE minute < ?", Date.now() - STATS_KEEP_MS);
  }

  private loadBucket(minute: number, route: string): Bucket {
    const row = this.sql
      .exec<{ delivered: number; failed: number; dead: number; filtered: number; hist: string }>(
        "SELECT delivered, failed, dead, filtered, hist FROM minutes WHERE minute = ? AND route = ?",
        minute,
        route,
      )
      .toArray()[0];
    if (row === undefined) return { delivered: 0, failed: 0, dead: 0, filtered: 0, hist: emptyHistogram() };
    return { delivered: row.delivered, failed: row.failed, dead: row.dead, filtered: row.filtered, hist: JSON.parse(row.hist) as number[] };
  }

  private storeBucket(minute: number, route: string, b: Bucket): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO minutes (minute, route, delivered, failed, dead, filtered, hist) VALUES (?, ?, ?, ?, ?, ?, ?)",
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

function isOpen(state: BreakerState): boolean {
  return state.kind === "open";
}

function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

function summarize(b: Bucket): Omit<RouteStats, "route"> {
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
