// Endpoint lifecycle use cases (docs/contract.md §6): pause and resume by an operator, and the notice
// of every transition (log line, alert, signed `endpoint.*` webhook) taken once from the guard's
// outbox. After a quarantine is lifted, auto_replay routes replay their `quarantined` dead letters.
import type { Config, Endpoint } from "../config/load";
import type { Lifecycle } from "../core/lifecycle";
import type { Ports } from "../ports";
import { log } from "../log";
import { alertWebhook, fireAlerts } from "./alerts";
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
  await fireAlerts(
    { ...ports, webhook: alertWebhook(ports) },
    events.map((e) => ({ kind: "lifecycle", endpoint: endpoint.name, ...e })),
    config.allowPrivateNetworks,
  );
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
