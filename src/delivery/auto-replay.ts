// Automated replay (opt-in per rule, `auto_replay: true`): once a route's endpoint has been closed
// and healthy for a while, the scheduled handler replays the route's `exhausted` dead letters at a
// bounded rate. Rejected (4xx) and gone (410) events would only fail again, so they wait for an operator.
import type { Config } from "../config/load";
import type { GuardSnapshot } from "../ports/guard";
import { log } from "../log";
import { replayMatching, type ReplayDeps } from "./replay";

/** The breaker must have been closed, with no transition, for this long. */
export const AUTO_REPLAY_HEALTHY_MS = 5 * 60_000;
/** Share of the endpoint's calls in that window that must have been delivered (when it had any). */
export const AUTO_REPLAY_MIN_SUCCESS_RATE = 0.9;
/** Replays per route and per run (the cron runs every minute), spread over the minute by queue delays. */
export const AUTO_REPLAY_PER_ROUTE = 25;
export const AUTO_REPLAY_PER_RUN = 100;
export const AUTO_REPLAY_SPREAD_S = 60;
/** A dead letter is replayed automatically at most this many times in all (an operator can always replay). */
export const AUTO_REPLAY_MAX_REPLAYS = 3;

export function isHealthy(snapshot: GuardSnapshot, now: number): boolean {
  if (snapshot.breaker.state !== "closed") return false;
  const last = snapshot.transitions[0];
  if (last !== undefined && now - Date.parse(last.at) < AUTO_REPLAY_HEALTHY_MS) return false;
  let delivered = 0;
  let failed = 0;
  for (const minute of snapshot.per_minute) {
    if (now - Date.parse(minute.minute) >= AUTO_REPLAY_HEALTHY_MS) continue;
    delivered += minute.delivered;
    failed += minute.failed;
  }
  const calls = delivered + failed;
  return calls === 0 || delivered / calls >= AUTO_REPLAY_MIN_SUCCESS_RATE;
}

/** Replays dead letters of auto-replay routes whose endpoint is healthy; returns how many were replayed. */
export async function autoReplay(deps: ReplayDeps, config: Config, snapshots: ReadonlyMap<string, GuardSnapshot | null>): Promise<number> {
  let budget = AUTO_REPLAY_PER_RUN;
  let total = 0;
  for (const rule of config.rules) {
    if (!rule.auto_replay || budget <= 0) continue;
    const snapshot = snapshots.get(rule.endpoint);
    if (snapshot === undefined || snapshot === null || !isHealthy(snapshot, deps.clock.now())) continue;
    const result = await replayMatching(
      deps,
      // Ordered dead letters are left to an operator: replaying one changes what its key delivers next.
      { route: rule.name, endpoint: rule.endpoint, reason: "exhausted", maxReplayCount: AUTO_REPLAY_MAX_REPLAYS, unorderedOnly: true },
      Math.min(AUTO_REPLAY_PER_ROUTE, budget),
      { trigger: "auto", spreadOverS: AUTO_REPLAY_SPREAD_S },
    );
    budget -= result.replayed + result.failed;
    total += result.replayed;
    if (result.replayed + result.failed > 0) {
      log("info", "auto_replay", { route: rule.name, endpoint: rule.endpoint, replayed: result.replayed, failed: result.failed });
    }
  }
  return total;
}
