// Which destinations of the winning rule get an event (docs/contract.md §5): a sync rule's primary
// always (it has no filter), every other destination whose own filter matches the event.
import type { Config, Endpoint, Rule } from "../config/load";
import { matches, type FilterSubject } from "../core/filter";

export interface Targets {
  /** A sync rule's primary; for an async rule, the first destination taking the event (or the first listed). */
  primary: Endpoint;
  /** The destinations that get an asynchronous copy (async: all matching; sync: matching ones after the primary). */
  copies: Endpoint[];
  /** Destinations whose filter left this event out (counted as filtered in the stats). */
  filteredOut: Endpoint[];
}

/** Undefined only when the config names an endpoint it does not define (prevented at load). */
export function selectTargets(config: Config, rule: Rule, subject: FilterSubject): Targets | undefined {
  const copies: Endpoint[] = [];
  const filteredOut: Endpoint[] = [];
  let primary: Endpoint | undefined;
  for (const [i, destination] of rule.destinations.entries()) {
    const endpoint = config.endpoints.get(destination.endpoint);
    if (endpoint === undefined) return undefined;
    if (i === 0 && rule.mode === "sync") {
      primary = endpoint;
      continue;
    }
    if (destination.filter !== null && !matches(destination.filter, subject)) filteredOut.push(endpoint);
    else copies.push(endpoint);
  }
  primary ??= copies[0] ?? config.endpoints.get(rule.endpoint);
  return primary === undefined ? undefined : { primary, copies, filteredOut };
}
