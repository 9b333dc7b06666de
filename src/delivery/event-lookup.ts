// What the gateway knows of one event (docs/contract.md §7, GET /admin/events/{message_id}): its
// attempts in each endpoint's attempt log and its dead letter, per destination (endpoint and route).
import type { Config } from "../config/load";
import type { Ports } from "../ports";
import type { AttemptLogEntry } from "../ports/guard";
import type { DeadLetterRow } from "../ports/storage";

export type DestinationState = "queued" | "delivered" | "dead_lettered" | "filtered" | "waiting";

export interface DestinationTrace {
  endpoint: string;
  route: string;
  state: DestinationState;
  /** Oldest first, as far as the attempt log retains them. */
  attempts: AttemptLogEntry[];
  deadLetter: DeadLetterRow | null;
}

export interface EventTrace {
  messageId: string;
  source: string | null;
  eventType: string | null;
  route: string | null;
  destinations: DestinationTrace[];
}

/** The event's trace, or null when nothing is known of it. */
export async function lookupEvent(ports: Pick<Ports, "guard" | "deadLetters">, config: Config, messageId: string): Promise<EventTrace | null> {
  const endpoints = [...config.endpoints.values()];
  // Every destination's dead letter of the message (one per destination on a fanned-out rule).
  const [deadRows, logs] = await Promise.all([
    ports.deadLetters
      .list({ filter: { message_id: messageId }, statuses: ["dead", "replaying", "replayed"], limit: 50, after: null })
      .then(async (page) => Promise.all(page.rows.map((r) => ports.deadLetters.get(r.id)))),
    Promise.all(endpoints.map(async (e) => ({ endpoint: e, attempts: await ports.guard.attemptsOf(e, messageId).catch(() => []) }))),
  ]);
  const destinations = new Map<string, { endpoint: string; route: string; attempts: AttemptLogEntry[]; deadLetter: DeadLetterRow | null }>();
  const destination = (endpoint: string, route: string) => {
    const key = `${endpoint}\n${route}`;
    let d = destinations.get(key);
    if (d === undefined) {
      d = { endpoint, route, attempts: [], deadLetter: null };
      destinations.set(key, d);
    }
    return d;
  };
  for (const { endpoint, attempts } of logs) for (const a of attempts) destination(endpoint.name, a.route).attempts.push(a);
  const deads = deadRows.filter((r): r is DeadLetterRow => r !== null);
  for (const dead of deads) destination(dead.endpoint, dead.route).deadLetter = dead;
  const dead = deads[0] ?? null;
  if (destinations.size === 0) return null;
  const traces = await Promise.all(
    [...destinations.values()].map(async (d): Promise<DestinationTrace> => {
      const endpoint = config.endpoints.get(d.endpoint);
      const snapshot = endpoint === undefined ? null : await ports.guard.snapshot(endpoint);
      const held = snapshot !== null && (snapshot.lifecycle.state === "paused" || snapshot.breaker.state === "open");
      return { ...d, state: stateOf(d.attempts, d.deadLetter, held) };
    }),
  );
  const first = traces[0];
  const facts = dead ?? first?.attempts[0];
  return {
    messageId,
    source: facts?.source ?? null,
    eventType: dead?.event_type ?? first?.attempts[0]?.eventType ?? null,
    route: first?.route ?? null,
    destinations: traces,
  };
}

/** Delivered when an attempt got a 2xx after any dead letter; dead-lettered while one waits; else queued or waiting (endpoint paused or breaker open). */
export function stateOf(attempts: readonly AttemptLogEntry[], dead: DeadLetterRow | null, held: boolean): DestinationState {
  const deadAt = dead?.failed_at ?? 0;
  if (attempts.some((a) => a.outcome === "delivered" && a.at >= deadAt)) return "delivered";
  if (dead !== null && dead.status !== "replayed") return "dead_lettered";
  return held ? "waiting" : "queued";
}
