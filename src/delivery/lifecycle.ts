// Endpoint lifecycle use cases (docs/contract.md §6): pause and resume by an operator, and the notice
// of every transition (log line, alert, signed `endpoint.*` webhook) taken once from the guard's
// outbox. After a quarantine is lifted, auto_replay routes replay their `quarantined` dead letters.
import type { Config, Endpoint } from "../config/load";
import type { Lifecycle } from "../core/lifecycle";
import type { Ports } from "../ports";
import { log } from "../log";
import { messageId } from "../core/ids";
import { alertKey, alertPayload, ALERT_INTERVAL_MS, DEFAULT_TIER, type Alert } from "./alerts";
import { postSigned, tierWebhook } from "./alert-notify";
import { replayMatching } from "./replay";

/** Quarantined dead letters replayed per auto_replay route on resume, spread over a minute. */
export const RESUME_REPLAY_LIMIT = 500;
const RESUME_REPLAY_SPREAD_S = 60;

type LifecyclePorts = Pick<Ports, "guard" | "alerts" | "http" | "clock" | "secrets" | "deadLetters" | "queue" | "ordering">;

export async function pauseEndpoint(ports: LifecyclePorts, config: Config, endpoint: Endpoint, reason: string | null): Promise<Lifecycle> {
  const lifecycle = await ports.guard.pause(endpoint, reason);
  await notifyLifecycle(ports, config, endpoint);
  return lifecycle;
}

export async function resumeEndpoint(ports: LifecyclePorts, config: Config, endpoint: Endpoint): Promise<Lifecycle> {
  const lifecycle = await ports.guard.resume(endpoint);
  await notifyLifecycle(ports, config, endpoint);
  return lifecycle;
}

/** Sends the notices of the endpoint's transitions not yet notified; returns how many. */
export async function notifyLifecycle(ports: LifecyclePorts, config: Config, endpoint: Endpoint): Promise<number> {
  const events = await ports.guard.takeLifecycleEvents(endpoint);
  for (const event of events) {
    log("warn", "endpoint_lifecycle", { endpoint: endpoint.name, from: event.from, to: event.to, reason: event.reason ?? undefined, at: new Date(event.at).toISOString() });
  }
  if (events.length === 0) return 0;
  // Transition notices go out at once, one signed POST each, not with the grouped alerts of a window.
  const webhook = tierWebhook(ports.secrets, endpoint.tier ?? DEFAULT_TIER);
  for (const event of events) {
    const alert: Alert = { kind: "lifecycle", endpoint: endpoint.name, ...event };
    const now = ports.clock.now();
    const key = alertKey(alert);
    if (!(await ports.alerts.claim({ key, kind: alert.kind, detail: `${event.from} -> ${event.to}` }, now, ALERT_INTERVAL_MS))) continue;
    log("error", "alert", { alert: "lifecycle", endpoint: endpoint.name, state: event.to });
    if (webhook === undefined) continue;
    const id = messageId(now, ports.clock.randomBytes(10)).replace(/^msg_/, "alert_");
    await postSigned(ports, webhook, id, alertPayload(alert, id, now), config.allowPrivateNetworks, now, { alert: "lifecycle" });
  }
  if (events.some((e) => e.from === "quarantined" && e.to === "active")) await replayQuarantined(ports, config, endpoint);
  return events.length;
}

async function replayQuarantined(ports: LifecyclePorts, config: Config, endpoint: Endpoint): Promise<void> {
  for (const rule of config.rules) {
    if (!rule.auto_replay || rule.endpoint !== endpoint.name) continue;
    // Ordered dead letters are left to an operator, as in the scheduled automated replay.
    const result = await replayMatching(ports, { route: rule.name, endpoint: endpoint.name, reason: "quarantined", unorderedOnly: true }, RESUME_REPLAY_LIMIT, {
      trigger: "auto",
      spreadOverS: RESUME_REPLAY_SPREAD_S,
    });
    log("info", "quarantine_replay", { route: rule.name, endpoint: endpoint.name, replayed: result.replayed, failed: result.failed });
  }
}
