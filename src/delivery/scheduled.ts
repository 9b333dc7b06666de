// The scheduled use case (cron, every minute): dead-letter retention, stale replay claims, endpoint
// lifecycle notices, alerts (grouped per tier, suppressed in maintenance windows and silences),
// automated replay, reconciliation of sync-to-async fallbacks.
// Each step runs on its own so one failing never stops the others; the run fails (and shows as
// failed in the Cron Events) only after all steps were tried.
import type { Config, LoadResult } from "../config/load";
import type { Ports } from "../ports";
import type { GuardSnapshot } from "../ports/guard";
import { purgeExpired, type PurgeReport } from "./retention";
import { breakerAlerts, dlqAlerts, DEFAULT_TIER, fireAlerts, lagAlerts, sloAlerts, type AlertContext } from "./alerts";
import { tierWebhook } from "./alert-notify";
import { notifyLifecycle } from "./lifecycle";
import { autoReplay } from "./auto-replay";
import { secretAlerts } from "./secret-alerts";
import { flagUnreconciled, reconcileEndpoints } from "./reconcile";
import { purgeAudit } from "./audit-retention";
import { errorMessage, log } from "../log";

/** A replay claim this old belongs to a Worker that died before recording the replay. */
export const STALE_CLAIM_MS = 10 * 60_000;

export interface ScheduledReport {
  purge: PurgeReport | null;
  alerts: number | null;
  autoReplayed: number | null;
}

export async function runScheduled(ports: Ports, loaded: LoadResult): Promise<ScheduledReport> {
  if (!loaded.ok) {
    // Without the operator's retention setting nothing is purged: a default could delete too much.
    log("error", "scheduled_config_invalid", { problems: loaded.problems });
    return { purge: null, alerts: null, autoReplayed: null };
  }
  const config = loaded.config;
  const runtime = ports.clock;
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
  const purge = await step("retention", () => purgeExpired(ports, config.dlqRetentionHours, runtime.now()));
  await step("audit_retention", () => purgeAudit(ports, config.dlqRetentionHours, runtime.now()));
  await step("stale_replay_claims", async () => {
    const released = await ports.deadLetters.releaseStaleClaims(runtime.now() - STALE_CLAIM_MS, 500);
    if (released > 0) log("warn", "replay_claims_released", { dead_letters: released });
    return released;
  });
  await step("lifecycle", async () => {
    for (const endpoint of config.endpoints.values()) await notifyLifecycle(ports, config, endpoint);
  });
  const snapshots = await guardSnapshots(ports, config);
  const alerts = await step("alerts", async () => {
    const found = breakerAlerts(snapshots, runtime.now());
    const objectives = new Map([...config.endpoints.values()].map((e) => [e.name, e.availability_objective] as const));
    found.push(...sloAlerts(snapshots, objectives, runtime.now()));
    found.push(...lagAlerts(config.rules, snapshots));
    found.push(...secretAlerts(config, ports.secrets, runtime.now()));
    found.push(...(await flagUnreconciled(ports, config, runtime.now())));
    if (config.dlqAlertThreshold !== undefined) found.push(...dlqAlerts(await ports.deadLetters.countWaitingByRoute(), config.dlqAlertThreshold));
    return fireAlerts({ ...ports, webhookFor: (tier) => tierWebhook(ports.secrets, tier) }, found, alertContext(config));
  });
  const autoReplayed = await step("auto_replay", () => autoReplay(ports, config, snapshots));
  await step("reconcile", () => reconcileEndpoints(ports, config, runtime.now()));
  if (failures.length > 0) throw new Error(`scheduled steps failed: ${failures.join(", ")}`);
  return { purge, alerts, autoReplayed };
}

/** Tiers, maintenance windows and the group window of the config, for fireAlerts. */
export function alertContext(config: Config): AlertContext {
  return {
    allowPrivateNetworks: config.allowPrivateNetworks,
    tierOf: (endpoint) => config.endpoints.get(endpoint)?.tier ?? DEFAULT_TIER,
    maintenanceWindows: config.maintenanceWindows,
    groupWindowMs: config.alertGroupWindowS * 1000,
  };
}

/** Each endpoint's guard snapshot (null when its object could not be reached). */
async function guardSnapshots(ports: Pick<Ports, "guard">, config: Config): Promise<Map<string, GuardSnapshot | null>> {
  return new Map(await Promise.all([...config.endpoints.values()].map(async (e) => [e.name, await ports.guard.snapshot(e)] as const)));
}
