// The scheduled use case (cron, every minute): dead-letter retention, stale replay claims, alerts,
// automated replay.
// Each step runs on its own so one failing never stops the others; the run fails (and shows as
// failed in the Cron Events) only after all steps were tried.
import type { Env } from "./env";
import { stringBinding } from "./env";
import { loadConfig, type Config } from "./config/load";
import { breakerConfig } from "./adapters/endpoint-guard-client";
import { cloudflareStores } from "./adapters/d1";
import type { GuardSnapshot } from "./objects/endpoint-guard";
import { purgeExpired, type PurgeReport } from "./delivery/retention";
import { breakerAlerts, dlqAlerts, fireAlerts, sloAlerts, type AlertWebhook } from "./delivery/alerts";
import { autoReplay } from "./delivery/auto-replay";
import type { Runtime } from "./runtime";
import { errorMessage, log } from "./log";

/** A replay claim this old belongs to a Worker that died before recording the replay. */
export const STALE_CLAIM_MS = 10 * 60_000;

export interface ScheduledReport {
  purge: PurgeReport | null;
  alerts: number | null;
  autoReplayed: number | null;
}

export async function runScheduled(env: Env, runtime: Runtime): Promise<ScheduledReport> {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  if (!loaded.ok) {
    // Without the operator's retention setting nothing is purged: a default could delete too much.
    log("error", "scheduled_config_invalid", { problems: loaded.problems });
    return { purge: null, alerts: null, autoReplayed: null };
  }
  const config = loaded.config;
  // This invocation's storage, built once; the steps get only the stores they use.
  const stores = cloudflareStores(env);
  const failures: string[] = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      failures.push(name);
      log("error", "scheduled_step_failed", { step: name, error: errorMessage(error) });
      return null;
    }
  };
  const purge = await step("retention", () => purgeExpired(stores, config.dlqRetentionHours, runtime.now()));
  await step("stale_replay_claims", async () => {
    const released = await stores.deadLetters.releaseStaleClaims(runtime.now() - STALE_CLAIM_MS, 500);
    if (released > 0) log("warn", "replay_claims_released", { dead_letters: released });
    return released;
  });
  const snapshots = await guardSnapshots(env, config);
  const alerts = await step("alerts", async () => {
    const found = breakerAlerts(snapshots, runtime.now());
    const objectives = new Map([...config.endpoints.values()].map((e) => [e.name, e.availability_objective] as const));
    found.push(...sloAlerts(snapshots, objectives, runtime.now()));
    if (config.dlqAlertThreshold !== undefined) found.push(...dlqAlerts(await stores.deadLetters.countWaitingByRoute(), config.dlqAlertThreshold));
    return fireAlerts({ alerts: stores.alerts, webhook: alertWebhook(env) }, found, runtime, config.allowPrivateNetworks);
  });
  const autoReplayed = await step("auto_replay", () => autoReplay({ deadLetters: stores.deadLetters, env }, config, snapshots, runtime));
  if (failures.length > 0) throw new Error(`scheduled steps failed: ${failures.join(", ")}`);
  return { purge, alerts, autoReplayed };
}

function alertWebhook(env: Env): AlertWebhook | undefined {
  const url = stringBinding(env, "ALERT_WEBHOOK_URL");
  return url === undefined ? undefined : { url, signingSecret: stringBinding(env, "ALERT_SIGNING_SECRET") };
}

/** Each endpoint's guard snapshot (null when its object could not be reached). */
async function guardSnapshots(env: Env, config: Config): Promise<Map<string, GuardSnapshot | null>> {
  const entries = await Promise.all([...config.endpoints.values()].map(async (endpoint): Promise<[string, GuardSnapshot | null]> => {
    try {
      const stub = env.ENDPOINT_GUARD.get(env.ENDPOINT_GUARD.idFromName(endpoint.name));
      return [endpoint.name, await stub.snapshot(breakerConfig(endpoint))];
    } catch (error) {
      log("warn", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
      return [endpoint.name, null];
    }
  }));
  return new Map(entries);
}
