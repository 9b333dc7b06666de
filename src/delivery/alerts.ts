// Operator alerts, checked by the scheduled handler: a route's dead letters past dlq_alert_threshold,
// an endpoint's breaker not closed for longer than BREAKER_OPEN_ALERT_MS, an endpoint burning its
// availability error budget (SLO, multi-window burn rate), a secret left without a window. Each
// condition fires at most once per hour (a compare-and-swap in the alert store) unless a maintenance
// window or silence covers it: a log line, then one signed notification per tier per window (alert-notify.ts).
import { budgetBurning, DEFAULT_OBJECTIVE } from "../core/slo";
import { alertSuppressed, type MaintenanceWindow } from "../core/maintenance";
import type { GuardSnapshot, LifecycleEvent } from "../ports/guard";
import type { SilenceStore } from "../ports/silences";
import type { PendingAlert } from "../ports/storage";
import { log } from "../log";
import { notifyTiers, type NotifyDeps } from "./alert-notify";

export const ALERT_INTERVAL_MS = 3_600_000;
/** The tier of endpoints without one, and of alerts about no endpoint. */
export const DEFAULT_TIER = "default";
export const BREAKER_OPEN_ALERT_MS = 5 * 60_000;

export interface AlertDeps extends NotifyDeps {
  silences: SilenceStore;
}

export type Alert =
  | { kind: "dlq_threshold"; route: string; endpoint: string; count: number; threshold: number }
  | { kind: "breaker_open"; endpoint: string; state: string; openSince: number | null; openForMs: number | null }
  | { kind: "slo_burn"; endpoint: string; objective: number; window: "fast" | "slow"; longRate: number; shortRate: number }
  /** A source or endpoint with no secret inside its window and bound (§8): it fails closed. `endpoint` is "" for a source. */
  | { kind: "no_valid_secret"; scope: "source" | "endpoint"; name: string; endpoint: string }
  /** Fallbacks of a route still not delivered after its reconcile_after_s (reconciliation). */
  | { kind: "reconciliation"; route: string; endpoint: string; count: number; afterS: number }
  /** A route's p95 delivery lag over the last hour above its rule's max_lag_s (docs/contract.md §7). */
  | { kind: "lag"; route: string; endpoint: string; p95Ms: number; maxLagS: number }
  /** One lifecycle transition (docs/contract.md §6): fired once, its key names the transition. */
  | ({ kind: "lifecycle"; endpoint: string } & LifecycleEvent);

/** The operational webhook `type` of a lifecycle transition. */
export function lifecycleType(to: LifecycleEvent["to"]): string {
  return to === "active" ? "endpoint.resumed" : `endpoint.${to}`;
}

/** Endpoints burning their availability error budget too fast (core/slo, multi-window). */
export function sloAlerts(snapshots: ReadonlyMap<string, GuardSnapshot | null>, objectives: ReadonlyMap<string, number>, now: number): Alert[] {
  const alerts: Alert[] = [];
  for (const [endpoint, snapshot] of snapshots) {
    if (snapshot === null) continue;
    const objective = objectives.get(endpoint) ?? DEFAULT_OBJECTIVE;
    const counts = snapshot.per_minute.map((m) => ({ minute: Date.parse(m.minute), good: m.delivered, bad: m.failed }));
    const verdict = budgetBurning(counts, now, objective);
    if (verdict !== null) alerts.push({ kind: "slo_burn", endpoint, objective, window: verdict.rule, longRate: verdict.longRate, shortRate: verdict.shortRate });
  }
  return alerts;
}

/** Routes whose count of `dead` rows passes the threshold. */
export function lagAlerts(rules: readonly { name: string; endpoint: string; max_lag_s?: number | undefined }[], snapshots: ReadonlyMap<string, GuardSnapshot | null>): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of rules) {
    if (rule.max_lag_s === undefined) continue;
    const p95 = snapshots.get(rule.endpoint)?.last_hour.routes.find((r) => r.route === rule.name)?.lag_ms?.p95 ?? null;
    if (p95 !== null && p95 > rule.max_lag_s * 1000) alerts.push({ kind: "lag", route: rule.name, endpoint: rule.endpoint, p95Ms: p95, maxLagS: rule.max_lag_s });
  }
  return alerts;
}

export function dlqAlerts(counts: readonly { route: string; endpoint: string; count: number }[], threshold: number): Alert[] {
  return counts.filter((c) => c.count > threshold).map((c) => ({ kind: "dlq_threshold", route: c.route, endpoint: c.endpoint, count: c.count, threshold }));
}

/** Endpoints whose breaker left `closed` more than BREAKER_OPEN_ALERT_MS ago and has not come back. */
export function breakerAlerts(snapshots: ReadonlyMap<string, GuardSnapshot | null>, now: number): Alert[] {
  const alerts: Alert[] = [];
  for (const [endpoint, snapshot] of snapshots) {
    if (snapshot === null || snapshot.breaker.state === "closed") continue;
    // Transitions are newest first; the latest one out of `closed` is when this outage began.
    const tripped = snapshot.transitions.find((t) => t.from === "closed");
    const openSince = tripped === undefined ? null : Date.parse(tripped.at);
    if (openSince !== null && now - openSince < BREAKER_OPEN_ALERT_MS) continue;
    alerts.push({ kind: "breaker_open", endpoint, state: snapshot.breaker.state, openSince, openForMs: openSince === null ? null : now - openSince });
  }
  return alerts;
}

export function alertKey(alert: Alert): string {
  switch (alert.kind) {
    case "dlq_threshold":
      return `dlq_threshold:${alert.route}`;
    case "breaker_open":
      return `breaker_open:${alert.endpoint}`;
    case "slo_burn":
      return `slo_burn:${alert.endpoint}`;
    case "no_valid_secret":
      return `no_valid_secret:${alert.scope}:${alert.name}`;
    case "reconciliation":
      return `reconciliation:${alert.route}`;
    case "lag":
      return `lag:${alert.route}`;
    case "lifecycle":
      return `lifecycle:${alert.endpoint}:${alert.to}:${alert.at}`;
  }
}

function summary(alert: Alert): string {
  if (alert.kind === "dlq_threshold") {
    const where = alert.route === "" ? "Malformed queue messages" : `Route ${alert.route} (endpoint ${alert.endpoint})`;
    return `${where}: ${alert.count} dead letters, above the threshold of ${alert.threshold}.`;
  }
  if (alert.kind === "lag") {
    return `Route ${alert.route} (endpoint ${alert.endpoint}): p95 delivery lag ${Math.round(alert.p95Ms / 1000)} s over the last hour, above max_lag_s ${alert.maxLagS}.`;
  }
  if (alert.kind === "lifecycle") {
    const why = alert.reason === null ? "" : ` (${alert.reason})`;
    return `Endpoint ${alert.endpoint} is now ${alert.to === "active" ? "active again" : alert.to}${why}; it was ${alert.from}.`;
  }
  if (alert.kind === "reconciliation") {
    return `Route ${alert.route} (endpoint ${alert.endpoint}): ${alert.count} sync-to-async fallbacks not delivered within ${alert.afterS} s.`;
  }
  if (alert.kind === "no_valid_secret") {
    const what = alert.scope === "source" ? `Source ${alert.name} rejects every request (401)` : `Endpoint ${alert.name} is held (nothing is sent unsigned)`;
    return `${what}: none of its secrets is inside its window and bound.`;
  }
  if (alert.kind === "slo_burn") {
    const pct = (1 - alert.objective) * 100;
    return `Endpoint ${alert.endpoint} is burning its ${pct.toFixed(2)} % error budget ${alert.longRate.toFixed(1)}× too fast (${alert.window} window).`;
  }
  const minutes = alert.openForMs === null ? "a long time" : `${Math.floor(alert.openForMs / 60_000)} min`;
  return `The circuit breaker of endpoint ${alert.endpoint} has not been closed for ${minutes} (now ${alert.state}).`;
}

/** Where and how the alerts of one scheduled run go (contract §8). */
export interface AlertContext {
  allowPrivateNetworks: boolean;
  /** The tier of an endpoint's alerts ("default" without one, and for alerts about no endpoint). */
  tierOf: (endpoint: string) => string;
  maintenanceWindows: readonly MaintenanceWindow[];
  groupWindowMs: number;
}

/**
 * Fires every alert not fired in the last hour and not suppressed (maintenance window or silence):
 * a log line each, then one grouped notification per tier per window (alert-notify.ts). Returns how many fired.
 */
export async function fireAlerts(deps: AlertDeps, alerts: readonly Alert[], ctx: AlertContext): Promise<number> {
  let fired = 0;
  const now = deps.clock.now();
  const silences = await deps.silences.listActive(now);
  const pending: PendingAlert[] = [];
  for (const alert of alerts) {
    const key = alertKey(alert);
    if (alertSuppressed(alert.endpoint, now, ctx.maintenanceWindows, silences)) {
      // Not claimed: when the window or silence ends, a condition still present fires at the next run.
      log("info", "alert_suppressed", { alert: alert.kind, key, endpoint: alert.endpoint || undefined });
      continue;
    }
    if (!(await deps.alerts.claim({ key, kind: alert.kind, detail: summary(alert) }, now, ALERT_INTERVAL_MS))) continue;
    fired += 1;
    const tier = ctx.tierOf(alert.endpoint);
    log("error", "alert", {
      alert: alert.kind,
      summary: summary(alert),
      tier,
      endpoint: alert.endpoint,
      route: alert.kind === "dlq_threshold" ? alert.route : undefined,
      dead_letters: alert.kind === "dlq_threshold" ? alert.count : undefined,
      threshold: alert.kind === "dlq_threshold" ? alert.threshold : undefined,
      open_for_ms: alert.kind === "breaker_open" ? alert.openForMs : undefined,
      burn_rate: alert.kind === "slo_burn" ? Number(alert.longRate.toFixed(2)) : undefined,
      window: alert.kind === "slo_burn" ? alert.window : undefined,
    });
    if (deps.webhookFor(tier) === undefined) continue;
    const id = `alert_${key}@${now}`;
    pending.push({ id, tier, at: now, payload: JSON.stringify(alertPayload(alert, id, now)) });
  }
  await deps.alerts.addPending(pending);
  await notifyTiers(deps, ctx, now);
  return fired;
}

export function alertPayload(alert: Alert, id: string, now: number): Record<string, unknown> {
  const common = { type: "hookgate.alert", id, alert: alert.kind, at: new Date(now).toISOString(), summary: summary(alert), endpoint: alert.endpoint };
  if (alert.kind === "dlq_threshold") return { ...common, route: alert.route, dead_letters: alert.count, threshold: alert.threshold };
  if (alert.kind === "no_valid_secret") return { ...common, scope: alert.scope, name: alert.name };
  if (alert.kind === "reconciliation") return { ...common, route: alert.route, fallbacks: alert.count, reconcile_after_s: alert.afterS };
  if (alert.kind === "lag") return { ...common, route: alert.route, lag_p95_ms: alert.p95Ms, max_lag_s: alert.maxLagS };
  if (alert.kind === "lifecycle") {
    return { ...common, type: lifecycleType(alert.to), state: alert.to, previous_state: alert.from, reason: alert.reason, transition_at: new Date(alert.at).toISOString() };
  }
  if (alert.kind === "slo_burn") {
    return { ...common, objective: alert.objective, window: alert.window, burn_rate_long: alert.longRate, burn_rate_short: alert.shortRate };
  }
  return {
    ...common,
    breaker: alert.state,
    open_since: alert.openSince === null ? null : new Date(alert.openSince).toISOString(),
    open_for_ms: alert.openForMs,
  };
}
