// Ordered routes: hand an event durably to the stream of its (route, key), replay or release a dead
// letter there, and resolve what a stream delivers with (live config, else its snapshot).
import { parseConfig, type Config, type Endpoint, type LoadResult } from "../config/load";
import type { Envelope } from "../core/envelope";
import type { Ports } from "../ports";
import type { AcceptResult, OnFailure, ReleaseResult, ReplayResult, StreamSettings } from "../ports/ordering";
import { log } from "../log";
import type { AcceptedEvent } from "./event";
import { bodyRef, buildEnvelope } from "./enqueue";

/**
 * Durable accept of an ordered event, one stream per (route, destination, key): the body is
 * claim-checked to R2 once when large (as for queued events), then every destination's stream stores
 * its copy with its own sequence number before this resolves (in parallel, never one after another).
 * Throws when a hand-off did not happen (the caller answers 503; a retry is a duplicate where it landed).
 */
export async function acceptOrdered(
  ports: Pick<Ports, "payloads" | "ordering" | "guard">,
  config: Config,
  event: AcceptedEvent,
  targets: readonly Endpoint[],
): Promise<AcceptResult[]> {
  const ordering = event.ordering;
  if (ordering === null) throw new Error("acceptOrdered: the event has no ordering key");
  if (targets.length === 0) return [];
  const body = await bodyRef(ports, event, 1);
  const fanout = event.rule.destinations.length > 1;
  if (fanout && body.kind === "r2")
    await ports.payloads.share(
      body.key,
      targets.map((t) => t.name),
    );
  const results = await Promise.all(
    targets.map((target) => {
      const settings: StreamSettings = { endpoint: target, allowPrivateNetworks: config.allowPrivateNetworks, onFailure: event.rule.on_failure };
      const envelope = { ...buildEnvelope(event, body, null), endpoint: target.name, ...(fanout ? { fanout } : {}) };
      return ports.ordering.accept({ envelope, key: ordering.key, settings });
    }),
  );
  // Ordered events count toward the route's backlog like queued ones (settled on delivery or dead letter).
  if (event.rule.max_backlog !== undefined) for (const target of targets) ports.guard.noteAccepted(target.name, event.rule.name);
  return results;
}

/**
 * Replays a dead letter of an ordered route through its key's stream, with its original sequence:
 * a blocked key resumes with it; on a key that moved on, it is delivered next, ahead of later events.
 * The envelope is the dead letter as stored (route, endpoint, body reference, `ordering` set).
 */
export async function replayIntoStream(ports: Pick<Ports, "ordering">, envelope: Envelope): Promise<ReplayResult> {
  const ordering = envelope.ordering;
  if (ordering === null) throw new Error("replayIntoStream: the dead letter has no ordering key");
  return ports.ordering.replay({ ...envelope, ordering });
}

/** Tells the key's stream that the dead letter `id` was deleted: a key blocked on it moves on. */
export async function releaseDeletedDeadLetter(
  ports: Pick<Ports, "ordering">,
  dead: { id: string; message_id: string; route: string; endpoint: string; ordering_key: string | null },
): Promise<ReleaseResult> {
  if (dead.ordering_key === null) return { released: false };
  // A dead letter of a fanned-out message has its own id; the stream knows the event by its message id.
  const fanout = dead.id !== dead.message_id;
  return ports.ordering.deadLetterDeleted({ route: dead.route, endpoint: fanout ? dead.endpoint : null, key: dead.ordering_key }, dead.message_id);
}

export type DeliveryTarget =
  { kind: "ok"; config: Config; endpoint: Endpoint; onFailure: OnFailure } | { kind: "endpoint_missing"; onFailure: OnFailure } | { kind: "config_invalid" };

const DEFAULT_ON_FAILURE: OnFailure = "dead_letter_and_continue";
const snapshots = new Map<string, Config | null>();

/**
 * What an ordered event is delivered with: the live GATEWAY_CONFIG when it loads (an endpoint
 * removed from it dead-letters the event, as on the queue path), else the snapshot of the endpoint
 * and settings taken at the last accept, so a broken config never stalls a stream already accepted.
 */
export function resolveTarget(live: LoadResult, settings: StreamSettings | null, envelope: Envelope): DeliveryTarget {
  if (live.ok) {
    const rule = live.config.rules.find((r) => r.name === envelope.route);
    const onFailure = rule?.on_failure ?? settings?.onFailure ?? DEFAULT_ON_FAILURE;
    const endpoint = live.config.endpoints.get(envelope.endpoint);
    return endpoint === undefined ? { kind: "endpoint_missing", onFailure } : { kind: "ok", config: live.config, endpoint, onFailure };
  }
  if (settings === null || settings.endpoint.name !== envelope.endpoint) return { kind: "config_invalid" };
  const config = snapshotConfig(settings);
  const endpoint = config?.endpoints.get(settings.endpoint.name);
  if (config === null || config === undefined || endpoint === undefined) return { kind: "config_invalid" };
  return { kind: "ok", config, endpoint, onFailure: settings.onFailure };
}

/** A one-endpoint Config built through the real schema from a snapshot (memoised per isolate). */
function snapshotConfig(settings: StreamSettings): Config | null {
  // `name` and `breaker` are derived at load, not fields of the document.
  const { name, breaker: _derived, ...endpoint } = settings.endpoint;
  const document = { allow_private_networks: settings.allowPrivateNetworks, sources: {}, endpoints: { [name]: endpoint }, routing_rules: [] };
  const cacheKey = JSON.stringify(document);
  const cached = snapshots.get(cacheKey);
  if (cached !== undefined) return cached;
  const parsed = parseConfig(document);
  const config = parsed.ok ? parsed.config : null;
  if (!parsed.ok) log("error", "ordering_snapshot_invalid", { endpoint: name, problems: parsed.problems });
  if (snapshots.size > 100) snapshots.clear();
  snapshots.set(cacheKey, config);
  return config;
}
