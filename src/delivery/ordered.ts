// Ordered routes: hand an event durably to the OrderedStream object of its (route, key), replay or
// release a dead letter there, and resolve what the object delivers with (live config, else its snapshot).
import type { Env } from "../env";
import { noteAccepted } from "../adapters/endpoint-guard-client";
import { loadConfig, parseConfig, type Config, type Endpoint } from "../config/load";
import type { BodyRef, Envelope } from "../core/envelope";
import { r2PayloadStore } from "../adapters/payload-store";
import type { AcceptResult, OnFailure, OrderedStream, ReleaseResult, ReplayResult, StreamSettings } from "../objects/ordered-stream";
import { errorMessage, log } from "../log";
import { forwardedHeaders, type AcceptedEvent } from "./event";
import { buildEnvelope, needsClaimCheck } from "./enqueue";

/** The object of one (route, key); NUL cannot occur in a route name, so names never collide. */
export function orderingObjectName(route: string, key: string): string {
  return `${route}\u0000${key}`;
}

export function orderedStream(env: Env, route: string, key: string): DurableObjectStub<OrderedStream> {
  return env.ORDERING.get(env.ORDERING.idFromName(orderingObjectName(route, key)));
}

/**
 * Durable accept of an ordered event: the body is claim-checked to R2 when large (as for queued
 * events), then the object stores the envelope with its sequence number before this resolves.
 * Throws when the hand-off did not happen (the caller answers 503).
 */
export async function acceptOrdered(env: Env, event: AcceptedEvent): Promise<AcceptResult> {
  if (event.ordering === null) throw new Error("acceptOrdered: the event has no ordering key");
  const forwarded = forwardedHeaders(event.rule, event.headers);
  const body: BodyRef = needsClaimCheck(event.body.byteLength, forwarded)
    ? await r2PayloadStore(env.PAYLOADS).put(event.messageId, event.body, event.contentType)
    : { kind: "inline", bytes: event.body };
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  const settings: StreamSettings = {
    endpoint: event.endpoint,
    allowPrivateNetworks: loaded.ok && loaded.config.allowPrivateNetworks,
    onFailure: event.rule.on_failure,
  };
  const request = { envelope: buildEnvelope(event, body, null), key: event.ordering.key, settings };
  const stream = orderedStream(env, event.rule.name, event.ordering.key);
  let result: AcceptResult;
  try {
    result = await stream.accept(request);
  } catch (error) {
    // accept() is idempotent by message id, so one retry of a transient failure cannot duplicate.
    if (!isRetryable(error)) throw error;
    log("warn", "ordered_accept_retry", { message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
    result = await orderedStream(env, event.rule.name, event.ordering.key).accept(request);
  }
  // Ordered events count toward the route's backlog like queued ones (settled on delivery or dead letter).
  if (event.rule.max_backlog !== undefined) noteAccepted(event.endpoint.name, event.rule.name);
  return result;
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { retryable?: unknown }).retryable === true
    && (error as Error & { overloaded?: unknown }).overloaded !== true;
}

/**
 * Replays a dead letter of an ordered route through its key's object, with its original sequence:
 * a blocked key resumes with it; on a key that moved on, it is delivered next, ahead of later events.
 * The envelope is the dead letter as stored (route, endpoint, body reference, `ordering` set).
 */
export async function replayIntoStream(env: Env, envelope: Envelope): Promise<ReplayResult> {
  if (envelope.ordering === null) throw new Error("replayIntoStream: the dead letter has no ordering key");
  return orderedStream(env, envelope.route, envelope.ordering.key).replay(envelope);
}

/** Tells the key's object that the dead letter `id` was deleted: a key blocked on it moves on. */
export async function releaseDeletedDeadLetter(env: Env, dead: { id: string; route: string; ordering_key: string | null }): Promise<ReleaseResult> {
  if (dead.ordering_key === null) return { released: false };
  return orderedStream(env, dead.route, dead.ordering_key).deadLetterDeleted(dead.id);
}

export type DeliveryTarget =
  | { kind: "ok"; config: Config; endpoint: Endpoint; onFailure: OnFailure }
  | { kind: "endpoint_missing"; onFailure: OnFailure }
  | { kind: "config_invalid" };

const DEFAULT_ON_FAILURE: OnFailure = "dead_letter_and_continue";
const snapshots = new Map<string, Config | null>();

/**
 * What an ordered event is delivered with: the live GATEWAY_CONFIG when it loads (an endpoint
 * removed from it dead-letters the event, as on the queue path), else the snapshot of the endpoint
 * and settings taken at the last accept, so a broken config never stalls a stream already accepted.
 */
export function resolveTarget(env: Env, settings: StreamSettings | null, envelope: Envelope): DeliveryTarget {
  const live = loadConfig(env.GATEWAY_CONFIG);
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
  const { name, ...endpoint } = settings.endpoint;
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
