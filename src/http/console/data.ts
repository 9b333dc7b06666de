// What the console pages read: each endpoint's EndpointGuard snapshot (the same object method the
// admin API calls, null when the object cannot be reached) and the dead letters waiting per endpoint.
import type { Config } from "../../config/load";
import type { Ports } from "../../ports";
import type { GuardSnapshot } from "../../ports/guard";

export interface Health {
  snapshots: ReadonlyMap<string, GuardSnapshot | null>;
  /** Dead letters waiting (status `dead`) by endpoint and by `route|endpoint`. */
  waitingByEndpoint: ReadonlyMap<string, number>;
  waitingByRoute: ReadonlyMap<string, number>;
}

export async function loadHealth(ports: Pick<Ports, "guard" | "deadLetters">, config: Config): Promise<Health> {
  const [snapshots, waiting] = await Promise.all([
    Promise.all([...config.endpoints.values()].map(async (e) => [e.name, await ports.guard.snapshot(e)] as const)),
    ports.deadLetters.countWaitingByRoute(),
  ]);
  const byEndpoint = new Map<string, number>();
  const byRoute = new Map<string, number>();
  for (const w of waiting) {
    byEndpoint.set(w.endpoint, (byEndpoint.get(w.endpoint) ?? 0) + w.count);
    byRoute.set(`${w.route}|${w.endpoint}`, w.count);
  }
  return { snapshots: new Map(snapshots), waitingByEndpoint: byEndpoint, waitingByRoute: byRoute };
}
