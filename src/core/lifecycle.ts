// An endpoint's lifecycle (docs/contract.md §6), pure: active / paused / quarantined, the operator's
// pause and resume, and the automatic quarantine (open cycles, failing time, 410) from call reports.

export type LifecycleState = "active" | "paused" | "quarantined";
export type QuarantineReason = "open_cycles" | "failing" | "gone";

export interface Lifecycle {
  state: LifecycleState;
  pausedAt: number | null;
  pauseReason: string | null;
  quarantinedAt: number | null;
  quarantineReason: QuarantineReason | null;
}

/** The endpoint's `quarantine` config. */
export interface QuarantineConfig {
  after_open_cycles?: number | undefined;
  after_failing_s?: number | undefined;
  on_gone?: boolean | undefined;
}

/** What the quarantine rules remember between reports. */
export interface FailureTrack {
  /** Breaker openings since the last delivered call. */
  openCycles: number;
  /** When the first undelivered call after the last delivered one ended (null: none since). */
  failingSince: number | null;
}

/** One ended call as the quarantine rules see it. */
export interface ReportFacts {
  delivered: boolean;
  status: number | null;
  at: number;
  /** The breaker went from closed or half-open to open with this call. */
  opened: boolean;
}

export const ACTIVE: Lifecycle = { state: "active", pausedAt: null, pauseReason: null, quarantinedAt: null, quarantineReason: null };
export const NO_FAILURES: FailureTrack = { openCycles: 0, failingSince: null };

/** How long an async event for a paused endpoint waits before it looks again: short pauses resume fast, long ones cost few queue operations. */
export function pausedWaitMs(pausedAt: number | null, now: number): number {
  const paused = pausedAt === null ? 0 : Math.max(0, now - pausedAt);
  return Math.min(60_000, Math.max(5_000, Math.ceil(paused / 10)));
}

export function pause(current: Lifecycle, reason: string | null, now: number): Lifecycle {
  if (current.state !== "active") return current;
  return { ...ACTIVE, state: "paused", pausedAt: now, pauseReason: reason };
}

export function resume(current: Lifecycle): Lifecycle {
  return current.state === "active" ? current : ACTIVE;
}

/** The track after one report, and the quarantine it calls for (only an active endpoint is quarantined). */
export function observe(track: FailureTrack, report: ReportFacts, cfg: QuarantineConfig | undefined): { track: FailureTrack; quarantine: QuarantineReason | null } {
  if (report.delivered) return { track: NO_FAILURES, quarantine: null };
  const next: FailureTrack = {
    openCycles: track.openCycles + (report.opened ? 1 : 0),
    failingSince: track.failingSince ?? report.at,
  };
  if (cfg === undefined) return { track: next, quarantine: null };
  if (cfg.on_gone === true && report.status === 410) return { track: next, quarantine: "gone" };
  if (cfg.after_open_cycles !== undefined && next.openCycles >= cfg.after_open_cycles) return { track: next, quarantine: "open_cycles" };
  if (cfg.after_failing_s !== undefined && next.failingSince !== null && report.at - next.failingSince >= cfg.after_failing_s * 1000) {
    return { track: next, quarantine: "failing" };
  }
  return { track: next, quarantine: null };
}

export function quarantine(current: Lifecycle, reason: QuarantineReason, now: number): Lifecycle {
  if (current.state !== "active") return current;
  return { ...ACTIVE, state: "quarantined", quarantinedAt: now, quarantineReason: reason };
}

/** The public form (admin API, console). */
export function publicLifecycle(l: Lifecycle): {
  state: LifecycleState;
  paused_at: string | null;
  pause_reason: string | null;
  quarantined_at: string | null;
  quarantine_reason: string | null;
} {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { state: l.state, paused_at: iso(l.pausedAt), pause_reason: l.pauseReason, quarantined_at: iso(l.quarantinedAt), quarantine_reason: l.quarantineReason };
}
