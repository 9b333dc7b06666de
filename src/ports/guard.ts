// The endpoint guard as the use cases see it (breaker, probes, in-flight, backlog, stats), and the
// types the EndpointGuard object and its isolate-side client share. Policy lives in core/guard-policy.
import type { Admission, BreakerConfig, BreakerState, publicState } from "../core/breaker";
import type { CallReport } from "../core/endpoint-report";
import type { AttemptRecord } from "../core/attempt-log";
import type { Lifecycle, LifecycleState, publicLifecycle, QuarantineConfig } from "../core/lifecycle";
import type { AttemptResult } from "../core/outcome";
import type { Endpoint } from "../config/load";

export interface GuardSyncRequest {
  isolate: string;
  inflight: number;
  reports: readonly CallReport[];
  /** Events accepted for async delivery per route since the last exchange (routes with max_backlog). */
  accepted?: Readonly<Record<string, number>>;
  /** Events this endpoint's filter left out, per route, since the last exchange. */
  filtered?: Readonly<Record<string, number>>;
  /** Events refused by the route's event schema (422) per route since the last exchange. */
  schemaViolations?: Readonly<Record<string, number>>;
  cfg: BreakerConfig;
  /** Ask for admission of one call (half-open probes are granted only here). */
  admit: boolean;
  probeLeaseMs: number;
  /** The endpoint's automatic quarantine rules (absent: never quarantined). */
  quarantine?: QuarantineConfig | undefined;
}

export interface GuardView {
  breaker: BreakerState;
  /** In-flight calls reported by other isolates in the last few seconds. */
  othersInflight: number;
  /** Accepted but not yet delivered or dead-lettered, per route (counted for routes with max_backlog). */
  backlog: Record<string, number>;
  now: number;
  /** Paused / quarantined (docs/contract.md §6); reaches isolates as fast as a breaker trip. */
  lifecycle: Lifecycle;
  /** How often each isolate should refresh and flush (core/guard-fanin; absent from older objects: 1 s). */
  flushIntervalMs?: number;
}

/** One lifecycle transition, kept by the object until the notifier takes it (once per transition). */
export interface LifecycleEvent {
  at: number;
  from: LifecycleState;
  to: LifecycleState;
  reason: string | null;
}

/** One row of the endpoint's attempt log. */
export interface AttemptLogEntry extends Omit<AttemptRecord, "excerpt" | "excerptEncoding"> {
  seq: number;
  route: string;
  mode: "sync" | "async";
  latencyMs: number;
  at: number;
  excerpt: string | null;
  excerptEncoding: "utf8" | "base64" | null;
}

export interface AttemptPage {
  items: AttemptLogEntry[];
  /** The `seq` to pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

export type GuardAdmission = Admission & { probeId?: string };

export interface RouteStats {
  route: string;
  delivered: number;
  failed: number;
  dead_lettered: number;
  /** Events this destination's filter left out (docs/contract.md §5). */
  filtered: number;
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  /** now − accepted_at when attempts started, over the last hour (docs/contract.md §7). */
  lag_ms?: { p50: number | null; p95: number | null; max: number | null };
}

export interface GuardSnapshot {
  breaker: ReturnType<typeof publicState>;
  lifecycle: ReturnType<typeof publicLifecycle>;
  inflight: number;
  transitions: { at: string; from: string; to: string }[];
  last_hour: { total: Omit<RouteStats, "route">; routes: RouteStats[]; /** Schema violations per route (docs/contract.md §9). */ schema_violations?: Record<string, number> };
  /** Delivered and failed calls per minute over the last 2 hours (SLO burn rates, console charts). */
  per_minute: { minute: string; delivered: number; failed: number }[];
}

/** The EndpointGuard object's RPC surface (one object per endpoint). */
export interface EndpointGuardRpc extends Rpc.DurableObjectBranded {
  sync(req: GuardSyncRequest): { view: GuardView; admission: GuardAdmission | null };
  probeDone(probeId: string, report: CallReport, cfg: BreakerConfig, isolate: string, inflight: number, quarantine?: QuarantineConfig): GuardView;
  /** `count` dead letters of a route at `at` (one call per consumer batch, endpoint and route). */
  recordDeadLetter(route: string, at: number, count?: number): void;
  reset(): void;
  pause(reason: string | null, now: number): Lifecycle;
  resume(now: number): Lifecycle;
  takeLifecycleEvents(): LifecycleEvent[];
  attempts(limit: number, before: number | null): AttemptPage;
  attemptsOf(messageId: string): AttemptLogEntry[];
  snapshot(cfg: BreakerConfig): GuardSnapshot;
}

export type RejectReason = "circuit_open" | "shed" | "saturated" | "paused" | "quarantined";

export type GuardDecision = { kind: "go"; lease: GuardLease } | { kind: "reject"; reason: RejectReason; retryInMs: number };

export interface GuardLease {
  probe: boolean;
  /** Reports the call's outcome; resolves once a failure or probe result has reached the object. */
  finish(result: AttemptResult, latencyMs: number, record?: AttemptRecord): Promise<void>;
  /** Gives the slot back without a call report: no request was made. */
  cancel(): void;
}

export type Backpressure = { ok: true } | { ok: false; retryAfterS: number; detail: string };

export interface BackpressureOptions {
  maxBacklog: number | undefined;
  shedWhenOpen: boolean;
}

export interface EndpointGuardPort {
  /** Admission of one call: from the isolate's cached view, or the object when half-open. */
  admit(endpoint: Endpoint, route: string, mode: "sync" | "async", timeoutMs: number): Promise<GuardDecision>;
  /** Ingress check for routes with max_backlog or shed_when_open. */
  backpressure(endpoint: Endpoint, route: string, opts: BackpressureOptions): Promise<Backpressure>;
  /** Counts an event accepted on a route with max_backlog; reported with the next exchange. */
  noteAccepted(endpoint: string, route: string): void;
  /** Counts an event the endpoint's filter left out on a route; reported with the next exchange. */
  noteFiltered(endpoint: Endpoint, route: string): void;
  /** Counts an event refused by the route's schema; reported with the next exchange (within ~1 s). */
  noteSchemaViolation(endpoint: Endpoint, route: string): void;
  /** Sends every endpoint's buffered outcomes now (end of a queue batch or an ordered alarm). */
  flush(): Promise<void>;
  /** Counts a dead letter in the endpoint's stats and settles its backlog. */
  recordDeadLetter(endpoint: string, route: string, at: number, count?: number): Promise<void>;
  /** The endpoint's full view (admin, console, alerts); null when its object cannot be reached. */
  snapshot(endpoint: Endpoint): Promise<GuardSnapshot | null>;
  /** Closes the breaker and forgets the isolate's cached view. */
  reset(endpoint: Endpoint): Promise<void>;
  /** Pauses / resumes the endpoint (every isolate learns within a second) and forgets the cached view. */
  pause(endpoint: Endpoint, reason: string | null): Promise<Lifecycle>;
  resume(endpoint: Endpoint): Promise<Lifecycle>;
  /** Lifecycle transitions not yet notified; each is handed out once. */
  takeLifecycleEvents(endpoint: Endpoint): Promise<LifecycleEvent[]>;
  /** The endpoint's attempt log, newest first, older than `before` (a seq). */
  attempts(endpoint: Endpoint, limit: number, before: number | null): Promise<AttemptPage>;
  /** The attempts of one message at this endpoint, as far as retained. */
  attemptsOf(endpoint: Endpoint, messageId: string): Promise<AttemptLogEntry[]>;
}
