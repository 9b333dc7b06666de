// Operator alerts, checked by the scheduled handler: a route's dead letters past dlq_alert_threshold,
// an endpoint's breaker not closed for longer than BREAKER_OPEN_ALERT_MS, an endpoint burning its
// availability error budget (SLO, multi-window burn rate). Each condition fires at
// most once per hour (a compare-and-swap in the alert store): a log line, and a signed POST to ALERT_WEBHOOK_URL.
import { messageId } from "../core/ids";
import { signStandardWebhook } from "../core/signatures";
import { describeResult } from "../core/outcome";
import { budgetBurning, DEFAULT_OBJECTIVE } from "../core/slo";
import type { GuardSnapshot } from "../ports/guard";
import type { Ports } from "../ports";
import { log } from "../log";

export const ALERT_INTERVAL_MS = 3_600_000;
export const BREAKER_OPEN_ALERT_MS = 5 * 60_000;
const ALERT_TIMEOUT_MS = 5_000;
/** A POST that failed is tried again after this long instead of an hour. */
const FAILED_POST_RETRY_MS = 5 * 60_000;

/** Where alerts are POSTed (ALERT_WEBHOOK_URL) and the Standard Webhooks secret that signs them (ALERT_SIGNING_SECRET). */
export interface AlertWebhook {
  url: string;
  signingSecret: string | undefined;
}

export interface AlertDeps extends Pick<Ports, "alerts" | "http" | "clock"> {
  /** Undefined when no webhook is configured: alerts are logged only. */
  webhook: AlertWebhook | undefined;
}

export type Alert =
  | { kind: "dlq_threshold"; route: string; endpoint: string; count: number; threshold: number }
  | { kind: "breaker_open"; endpoint: string; state: string; openSince: number | null; openForMs: number | null }
  | { kind: "slo_burn"; endpoint: string; objective: number; window: "fast" | "slow"; longRate: number; shortRate: number }
  /** A source or endpoint with no secret inside its window and bound (§8): it fails closed. `endpoint` is "" for a source. */
  | { kind: "no_valid_secret"; scope: "source" | "endpoint"; name: string; endpoint: string };

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
  }
}

function summary(alert: Alert): string {
  if (alert.kind === "dlq_threshold") {
    const where = alert.route === "" ? "Malformed queue messages" : `Route ${alert.route} (endpoint ${alert.endpoint})`;
    return `${where}: ${alert.count} dead letters, above the threshold of ${alert.threshold}.`;
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

/** Fires every alert not fired in the last hour; returns how many fired. */
export async function fireAlerts(deps: AlertDeps, alerts: readonly Alert[], allowPrivateNetworks: boolean): Promise<number> {
  let fired = 0;
  for (const alert of alerts) {
    const now = deps.clock.now();
    const key = alertKey(alert);
    if (!(await deps.alerts.claim({ key, kind: alert.kind, detail: summary(alert) }, now, ALERT_INTERVAL_MS))) continue;
    fired += 1;
    log("error", "alert", {
      alert: alert.kind,
      summary: summary(alert),
      endpoint: alert.endpoint,
      route: alert.kind === "dlq_threshold" ? alert.route : undefined,
      dead_letters: alert.kind === "dlq_threshold" ? alert.count : undefined,
      threshold: alert.kind === "dlq_threshold" ? alert.threshold : undefined,
      open_for_ms: alert.kind === "breaker_open" ? alert.openForMs : undefined,
      burn_rate: alert.kind === "slo_burn" ? Number(alert.longRate.toFixed(2)) : undefined,
      window: alert.kind === "slo_burn" ? alert.window : undefined,
    });
    if (deps.webhook === undefined) continue;
    const ok = await postAlert(deps, deps.webhook, alert, allowPrivateNetworks);
    if (!ok) await deps.alerts.backdate(key, now, now - ALERT_INTERVAL_MS + FAILED_POST_RETRY_MS);
  }
  return fired;
}

export function alertPayload(alert: Alert, id: string, now: number): Record<string, unknown> {
  const common = { type: "hookgate.alert", id, alert: alert.kind, at: new Date(now).toISOString(), summary: summary(alert), endpoint: alert.endpoint };
  if (alert.kind === "dlq_threshold") return { ...common, route: alert.route, dead_letters: alert.count, threshold: alert.threshold };
  if (alert.kind === "no_valid_secret") return { ...common, scope: alert.scope, name: alert.name };
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

async function postAlert(deps: AlertDeps, webhook: AlertWebhook, alert: Alert, allowPrivateNetworks: boolean): Promise<boolean> {
  const now = deps.clock.now();
  const id = messageId(now, deps.clock.randomBytes(10)).replace(/^msg_/, "alert_");
  const body = new TextEncoder().encode(JSON.stringify(alertPayload(alert, id, now)));
  const timestampS = Math.floor(now / 1000);
  const headers = new Headers({ "Content-Type": "application/json", "User-Agent": "Hookgate/1", "webhook-id": id, "webhook-timestamp": String(timestampS) });
  const secret = webhook.signingSecret;
  if (secret !== undefined) headers.set("webhook-signature", await signStandardWebhook({ id, timestampS, body, secrets: [secret] }));
  const sent = await deps.http.send({ url: webhook.url, allowPrivateNetworks, headers, body, timeoutMs: ALERT_TIMEOUT_MS, nowMs: now });
  await sent.response?.body?.cancel().catch(() => undefined);
  const result = sent.result;
  if (result.kind === "response" && result.status >= 200 && result.status < 300) return true;
  if (result.kind === "blocked_url") log("error", "alert_webhook_blocked", { alert: alert.kind, reason: result.detail });
  else log("error", "alert_webhook_failed", { alert: alert.kind, ...(result.kind === "response" ? { status: result.status } : { error: describeResult(result).lastError }) });
  return false;
}
