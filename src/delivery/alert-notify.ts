// Grouped alert notifications (contract §8): the alerts fired within one alert_group_window_s go out
// as one signed POST per tier, to ALERT_WEBHOOK_URL_<TIER> (else ALERT_WEBHOOK_URL). A tier's send is
// claimed in the alert store, so overlapping cron runs send it once; a failed POST keeps its alerts.
import { messageId } from "../core/ids";
import { signStandardWebhook } from "../core/signatures";
import { describeResult } from "../core/outcome";
import type { Ports } from "../ports";
import type { PendingAlert } from "../ports/storage";
import { log } from "../log";

const ALERT_TIMEOUT_MS = 5_000;
/** Alerts listed in one notification at most; the rest go in the next one. */
const MAX_PER_NOTIFICATION = 200;
/** A tier whose POST failed is tried again at the next run (every minute) rather than a window later. */
const FAILED_POST_RETRY_MS = 60_000;

/** Where a tier's alerts are POSTed and the Standard Webhooks secret that signs them. */
export interface AlertWebhook {
  url: string;
  signingSecret: string | undefined;
}

export interface NotifyDeps extends Pick<Ports, "alerts" | "http" | "clock"> {
  /** Undefined when no webhook is configured for the tier: its alerts are logged only. */
  webhookFor: (tier: string) => AlertWebhook | undefined;
}

/** ALERT_WEBHOOK_URL_<TIER> / ALERT_SIGNING_SECRET_<TIER>, else the tier-less bindings. */
export function tierWebhook(secrets: Pick<Ports["secrets"], "get">, tier: string): AlertWebhook | undefined {
  const suffix = `_${tier.toUpperCase()}`;
  const url = secrets.get(`ALERT_WEBHOOK_URL${suffix}`) ?? secrets.get("ALERT_WEBHOOK_URL");
  if (url === undefined) return undefined;
  return { url, signingSecret: secrets.get(`ALERT_SIGNING_SECRET${suffix}`) ?? secrets.get("ALERT_SIGNING_SECRET") };
}

/** Sends each tier's pending alerts as one notification, at most once per group window per tier. */
export async function notifyTiers(deps: NotifyDeps, ctx: { allowPrivateNetworks: boolean; groupWindowMs: number }, now: number): Promise<void> {
  for (const tier of await deps.alerts.pendingTiers()) {
    const webhook = deps.webhookFor(tier);
    const items = await deps.alerts.listPending(tier, MAX_PER_NOTIFICATION);
    if (webhook === undefined) {
      log("warn", "alert_webhook_removed", { tier, alerts: items.length });
      await deps.alerts.removePending(items.map((i) => i.id));
      continue;
    }
    const key = `notify:${tier}`;
    if (!(await deps.alerts.claim({ key, kind: "notification", detail: `${items.length} alerts` }, now, ctx.groupWindowMs))) continue;
    if (await post(deps, webhook, tier, items, ctx, now)) await deps.alerts.removePending(items.map((i) => i.id));
    else await deps.alerts.backdate(key, now, now - ctx.groupWindowMs + FAILED_POST_RETRY_MS);
  }
}

/** The notification: every alert listed; with a single alert its fields also stay at the top (v1 shape). */
export function notificationPayload(tier: string, items: readonly PendingAlert[], id: string, now: number, windowS: number): Record<string, unknown> {
  const alerts = items.map((i) => JSON.parse(i.payload) as Record<string, unknown>);
  const endpoints = [...new Set(alerts.map((a) => a["endpoint"]).filter((e): e is string => typeof e === "string" && e !== ""))];
  const only = alerts.length === 1 ? alerts[0] : undefined;
  const summary = only?.["summary"] ?? `${alerts.length} alerts for tier ${tier} (${endpoints.length} endpoints): ${[...new Set(alerts.map((a) => a["alert"]))].join(", ")}.`;
  return { ...only, type: "hookgate.alert", id, at: new Date(now).toISOString(), tier, window_s: windowS, count: alerts.length, summary, endpoints, alerts };
}

async function post(
  deps: NotifyDeps,
  webhook: AlertWebhook,
  tier: string,
  items: readonly PendingAlert[],
  ctx: { allowPrivateNetworks: boolean; groupWindowMs: number },
  now: number,
): Promise<boolean> {
  const id = messageId(now, deps.clock.randomBytes(10)).replace(/^msg_/, "alert_");
  const payload = notificationPayload(tier, items, id, now, Math.round(ctx.groupWindowMs / 1000));
  const ok = await postSigned(deps, webhook, id, payload, ctx.allowPrivateNetworks, now, { tier });
  if (ok) log("info", "alert_notified", { tier, alerts: items.length });
  return ok;
}

/** One signed (Standard Webhooks) JSON POST to an alert webhook; true on a 2xx. */
export async function postSigned(
  deps: Pick<Ports, "http">,
  webhook: AlertWebhook,
  id: string,
  payload: Record<string, unknown>,
  allowPrivateNetworks: boolean,
  now: number,
  logFields: Record<string, string>,
): Promise<boolean> {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const timestampS = Math.floor(now / 1000);
  const headers = new Headers({ "Content-Type": "application/json", "User-Agent": "Hookgate/1", "webhook-id": id, "webhook-timestamp": String(timestampS) });
  if (webhook.signingSecret !== undefined) headers.set("webhook-signature", await signStandardWebhook({ id, timestampS, body, secrets: [webhook.signingSecret] }));
  const sent = await deps.http.send({ url: webhook.url, allowPrivateNetworks, headers, body, timeoutMs: ALERT_TIMEOUT_MS, nowMs: now });
  await sent.response?.body?.cancel().catch(() => undefined);
  const result = sent.result;
  if (result.kind === "response" && result.status >= 200 && result.status < 300) return true;
  if (result.kind === "blocked_url") log("error", "alert_webhook_blocked", { ...logFields, reason: result.detail });
  else log("error", "alert_webhook_failed", { ...logFields, ...(result.kind === "response" ? { status: result.status } : { error: describeResult(result).lastError }) });
  return false;
}
