// Reconciliation of sync-to-async fallbacks (issue 17; the source document's "run reconciliation
// jobs"): the cron flags fallbacks not delivered within their rule's reconcile_after_s (a
// `reconciliation` alert), and POSTs each endpoint's reconcile_url a signed batch of its recent
// fallbacks; the ids the consumer says it lacks are replayed from the dead letters (at most 3 times).
// Every mark is a compare-and-swap keyed by the 5-minute slot: no lock is held across the request,
// and a run interrupted and run again in the same slot changes nothing twice.
import * as z from "../core/zod";
import type { Config, Endpoint } from "../config/load";
import { messageId } from "../core/ids";
import { signStandardWebhook } from "../core/signatures";
import type { Ports } from "../ports";
import type { FallbackView } from "../ports/storage";
import { errorMessage, log } from "../log";
import type { Alert } from "./alerts";
import { replayOne } from "./replay";
import { signingSecrets } from "./signing-secrets";

export const RECONCILE_SLOT_MS = 5 * 60_000;
/** How far back a batch reaches: fallbacks older than this are no longer sent. */
export const RECONCILE_LOOKBACK_MS = 24 * 3_600_000;
const BATCH_LIMIT = 500;
const RECONCILE_TIMEOUT_MS = 10_000;

const answerSchema = z.object({ missing: z.array(z.string().check(z.maxLength(128))).check(z.maxLength(BATCH_LIMIT)) });

/** Flags the fallbacks of each fallback rule still waiting after its reconcile_after_s; one alert per route. */
export async function flagUnreconciled(ports: Pick<Ports, "fallbacks">, config: Config, now: number): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const rule of config.rules) {
    if (rule.mode !== "sync" || rule.fallback !== "async_dlq") continue;
    const flagged = await ports.fallbacks.flagOverdue(rule.name, now - rule.reconcile_after_s * 1000, now, BATCH_LIMIT);
    for (const f of flagged) {
      log("warn", "fallback_unreconciled", { trace_id: f.trace_id, message_id: f.id, route: f.route, endpoint: f.endpoint, reason: f.reason, waiting_ms: now - f.at });
    }
    if (flagged.length > 0) alerts.push({ kind: "reconciliation", route: rule.name, endpoint: rule.endpoint, count: flagged.length, afterS: rule.reconcile_after_s });
  }
  return alerts;
}

export interface ReconcileReport {
  sent: number;
  missing: number;
  replayed: number;
}

/** One batch per endpoint with a reconcile_url, for the current slot. */
export async function reconcileEndpoints(ports: Ports, config: Config, now: number): Promise<ReconcileReport> {
  const total: ReconcileReport = { sent: 0, missing: 0, replayed: 0 };
  for (const endpoint of config.endpoints.values()) {
    if (endpoint.reconcile_url === undefined) continue;
    try {
      const r = await reconcileEndpoint(ports, config, endpoint, endpoint.reconcile_url, now);
      total.sent += r.sent;
      total.missing += r.missing;
      total.replayed += r.replayed;
    } catch (error) {
      log("error", "reconcile_failed", { endpoint: endpoint.name, error: errorMessage(error) });
    }
  }
  return total;
}

async function reconcileEndpoint(ports: Ports, config: Config, endpoint: Endpoint, url: string, now: number): Promise<ReconcileReport> {
  const slot = Math.floor(now / RECONCILE_SLOT_MS) * RECONCILE_SLOT_MS;
  const items = await ports.fallbacks.reconcileCandidates(endpoint.name, slot - RECONCILE_LOOKBACK_MS, slot, BATCH_LIMIT);
  if (items.length === 0) return { sent: 0, missing: 0, replayed: 0 };
  const missing = await askConsumer(ports, config, endpoint, url, items, slot, now);
  if (missing === null) return { sent: items.length, missing: 0, replayed: 0 };
  const byId = new Map(items.map((i) => [i.id, i]));
  const lacking = [...new Set(missing)].filter((id) => byId.has(id));
  await ports.fallbacks.confirm(
    items.filter((i) => !lacking.includes(i.id)).map((i) => i.id),
    slot,
    now,
  );
  let replayed = 0;
  for (const id of lacking) {
    const item = byId.get(id);
    if (item === undefined) continue;
    const replayable = item.state === "dead_lettered";
    if (!(await ports.fallbacks.claimReconcile(id, slot, replayable))) continue;
    if (!replayable) {
      // Waiting: still being delivered. Delivered: the gateway keeps no body after a delivery.
      log("warn", "reconcile_missing", { trace_id: item.trace_id, message_id: id, endpoint: endpoint.name, state: item.state });
      continue;
    }
    const result = await replayOne(ports, id);
    if (result.kind === "queued") replayed += 1;
    log(result.kind === "queued" ? "warn" : "error", "reconcile_replayed", {
      trace_id: item.trace_id,
      message_id: id,
      endpoint: endpoint.name,
      result: result.kind,
      replays: item.replays + 1,
    });
  }
  return { sent: items.length, missing: lacking.length, replayed };
}

/** POSTs the batch (signed like a delivery) and returns the ids the consumer lacks, or null when it did not answer usefully. */
async function askConsumer(ports: Ports, config: Config, endpoint: Endpoint, url: string, items: readonly FallbackView[], slot: number, now: number): Promise<string[] | null> {
  const secrets = signingSecrets(ports.secrets, endpoint, now);
  if (!secrets.ok) return null;
  const id = messageId(now, ports.clock.randomBytes(10)).replace(/^msg_/, "rec_");
  const payload = {
    type: "hookgate.reconcile",
    endpoint: endpoint.name,
    window: { from: new Date(slot - RECONCILE_LOOKBACK_MS).toISOString(), to: new Date(slot).toISOString() },
    items: items.map((i) => ({ message_id: i.id, event_type: i.event_type, state: i.state, accepted_at: new Date(i.at).toISOString() })),
  };
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const timestampS = Math.floor(now / 1000);
  const headers = new Headers({ "Content-Type": "application/json", "User-Agent": "Hookgate/1", "webhook-id": id, "webhook-timestamp": String(timestampS) });
  if (secrets.secrets.length > 0) headers.set("webhook-signature", await signStandardWebhook({ id, timestampS, body, secrets: secrets.secrets }));
  const sent = await ports.http.send({ url, allowPrivateNetworks: config.allowPrivateNetworks, headers, body, timeoutMs: RECONCILE_TIMEOUT_MS, nowMs: now });
  if (sent.result.kind !== "response" || sent.result.status < 200 || sent.result.status >= 300 || sent.response === null) {
    await sent.response?.body?.cancel().catch(() => undefined);
    log("error", "reconcile_url_failed", { endpoint: endpoint.name, status: sent.result.kind === "response" ? sent.result.status : null, items: items.length });
    return null;
  }
  const parsed = answerSchema.safeParse(await sent.response.json().catch(() => undefined));
  if (!parsed.success) {
    log("error", "reconcile_url_bad_answer", { endpoint: endpoint.name });
    return null;
  }
  log("info", "reconcile_batch", { endpoint: endpoint.name, items: items.length, missing: parsed.data.missing.length });
  return parsed.data.missing;
}
