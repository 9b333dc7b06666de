// What the console pages read: each endpoint's EndpointGuard snapshot (the same object method the
// admin API calls, null when the object cannot be reached) and the dead letters waiting per endpoint.
import type { Env } from "../../env";
import type { Config, Endpoint } from "../../config/load";
import { breakerConfig } from "../../adapters/endpoint-guard-client";
import type { GuardSnapshot } from "../../objects/endpoint-guard";
import { errorMessage, log } from "../../log";
import { storesOf } from "../admin/stores";

export function guardOf(env: Env, name: string) {
  return env.ENDPOINT_GUARD.get(env.ENDPOINT_GUARD.idFromName(name));
}

export async function snapshotOrNull(env: Env, endpoint: Endpoint): Promise<GuardSnapshot | null> {
  try {
    return await guardOf(env, endpoint.name).snapshot(breakerConfig(endpoint));
  } catch (error) {
    log("warn", "endpoint_guard_unavailable", { endpoint: endpoint.name, error: errorMessage(error) });
    return null;
  }
}

export interface Health {
  snapshots: ReadonlyMap<string, GuardSnapshot | null>;
  /** Dead letters waiting (status `dead`) by endpoint and by `route|endpoint`. */
  waitingByEndpoint: ReadonlyMap<string, number>;
  waitingByRoute: ReadonlyMap<string, number>;
}

export async function loadHealth(env: Env, config: Config): Promise<Health> {
  const [snapshots, waiting] = await Promise.all([
    Promise.all([...config.endpoints.values()].map(async (e) => [e.name, await snapshotOrNull(env, e)] as const)),
    storesOf(env).deadLetters.countWaitingByRoute(),
  ]);
  const byEndpoint = new Map<string, number>();
  const byRoute = new Map<string, number>();
  for (const w of waiting) {
    byEndpoint.set(w.endpoint, (byEndpoint.get(w.endpoint) ?? 0) + w.count);
    byRoute.set(`${w.route}|${w.endpoint}`, w.count);
  }
  return { snapshots: new Map(snapshots), waitingByEndpoint: byEndpoint, waitingByRoute: byRoute };
}
