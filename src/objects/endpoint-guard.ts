// Durable Object, one per endpoint: the authoritative circuit breaker (state in SQLite, transitions
// from core/breaker), half-open probe leases, the isolates' in-flight sum and flush interval
// (core/guard-fanin), the lifecycle (core/lifecycle) with its outbox. Stats, lag and the attempt log
// live in their own files. Each isolate calls it once per interval (1-10 s), not once a call.
import { DurableObject } from "cloudflare:workers";
import { admit, initialBreaker, publicState, tick, transition, type BreakerConfig, type BreakerState } from "../core/breaker";
import { arrivingEvent, breakerEvent, type CallReport } from "../core/endpoint-report";
import { ACTIVE, NO_FAILURES, observe, pause, publicLifecycle, quarantine, resume, type FailureTrack, type Lifecycle, type QuarantineConfig } from "../core/lifecycle";
import { IsolateTable } from "../core/guard-fanin";
import type { AttemptLogEntry, AttemptPage, EndpointGuardRpc, GuardAdmission, GuardSnapshot, GuardSyncRequest, GuardView, LifecycleEvent } from "../ports/guard";
import { AttemptLog } from "./attempt-log";
import { GuardStats, summarize } from "./guard-stats";
import { LagStats } from "./lag-stats";

const NO_LAG = { p50: null, p95: null, max: null };

export class EndpointGuard extends DurableObject<unknown> implements EndpointGuardRpc {
  private readonly sql: SqlStorage;
  private breaker: BreakerState;
  private lifecycle: Lifecycle;
  private track: FailureTrack;
  private readonly log: AttemptLog;
  private readonly lag: LagStats;
  private readonly stats: GuardStats;
  private readonly isolates = new IsolateTable();
  /** The latest failure applied to the breaker (core/endpoint-report arrivingEvent); in memory only. */
  private lastFailureAt = 0;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS probes (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS transitions (at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL)");
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS lifecycle_events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, reason TEXT)",
    );
    this.stats = new GuardStats(this.sql);
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
    this.sql.exec("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", key, JSON.stringify(value));
  }

  sync(req: GuardSyncRequest): { view: GuardView; admission: GuardAdmission | null } {
    const now = Date.now();
    this.isolates.seen(req.isolate, req.inflight, now);
    let state = this.expireProbes(this.breaker, now, req.cfg);
    for (const report of req.reports) {
      const event = arrivingEvent(report, this.lastFailureAt);
      if (event?.kind === "failure") this.lastFailureAt = Math.max(this.lastFailureAt, report.at);
      const wasOpen = state.kind === "open";
      if (event !== undefined) state = transition(state, event, report.at, req.cfg);
      this.observe(report, !wasOpen && isOpen(state), req.quarantine);
    }
    this.stats.recordReports(req.reports, now);
    this.log.append(req.reports);
    this.lag.record(req.reports, now);
    this.stats.countBacklog(req.accepted ?? {}, req.reports);
    this.stats.countFiltered(req.filtered ?? {}, now);
    this.stats.countViolations(req.schemaViolations ?? {}, now);
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
    this.isolates.seen(isolate, inflight, now);
    const held = this.sql.exec("DELETE FROM probes WHERE id = ? RETURNING id", probeId).toArray().length > 0;
    let state = this.breaker;
    const event = breakerEvent(report.breaker);
    if (held) state = transition(state, event ?? { kind: "probe_abandoned" }, now, cfg);
    this.observe(report, !isOpen(this.breaker) && isOpen(state), quarantineCfg);
    this.stats.recordReports([report], now);
    this.log.append([report]);
    this.lag.record([report], now);
    this.stats.countBacklog({}, [report]);
    this.save(state, now);
    return this.view(isolate, now);
  }

  recordDeadLetter(route: string, at: number, count = 1): void {
    this.stats.recordDead(route, at, count);
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
    const { total, routes, perMinute, violations } = this.stats.lastHour(now);
    const lag = this.lag.lastHour(now);
    const transitions = this.sql.exec<{ at: number; from_state: string; to_state: string }>("SELECT at, from_state, to_state FROM transitions ORDER BY at DESC LIMIT 50").toArray();
    return {
      breaker: publicState(this.breaker, now, cfg),
      lifecycle: publicLifecycle(this.lifecycle),
      inflight: this.isolates.inflight(now, null),
      transitions: transitions.map((t) => ({ at: new Date(t.at).toISOString(), from: t.from_state, to: t.to_state })),
      last_hour: {
        total: summarize(total),
        routes: [...routes].map(([route, b]) => ({ route, ...summarize(b), lag_ms: lag.get(route) ?? NO_LAG })),
        schema_violations: violations,
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
    return {
      breaker: this.breaker,
      othersInflight: this.isolates.inflight(now, isolate),
      backlog: this.stats.backlog(),
      now,
      lifecycle: this.lifecycle,
      flushIntervalMs: this.isolates.flushIntervalMs(now),
    };
  }
}

function isOpen(state: BreakerState): boolean {
  return state.kind === "open";
}
