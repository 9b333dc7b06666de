// Dedup around dispatch: claim the idempotency key (and alias the signature to it), run the route's
// use case once, keep its answer for duplicates (also concurrent ones), or give the key back when
// the attempt failed. Queued async accepts send first and claim after (accept-send-first.ts).
import type { Config } from "../config/load";
import { sha256Hex } from "../core/signatures";
import type { Ports } from "../ports";
import type { AliasResult, IdempotencyStore } from "../ports/idempotency";
import { errorMessage, log } from "../log";
import { acceptedAnswer, fromStored, keyHeldAnswer, toStored, type DispatchOutcome } from "./answer";
import { enqueueCopies } from "./enqueue";
import type { AcceptedEvent } from "./event";
import { acceptAsync } from "./accept-async";
import { acceptSendFirst } from "./accept-send-first";
import { callSync } from "./sync-call";

export type { DispatchOutcome };

/** How long a first request may hold its key; a sync call's timeout plus margin. */
const LEASE_MARGIN_MS = 10_000;
/** How long a concurrent duplicate waits for the first answer before being told to retry. */
const MAX_DUPLICATE_WAIT_MS = 30_000;

/**
 * What identifies a request for dedup: its key (an idempotency key, or the accepted signature's
 * digest), the body hash, and — when the key is one the signature does not cover — the signature
 * digest as an alias, so a replayed signature under a fresh key is still a duplicate.
 */
export interface DedupKeys {
  key: string;
  bodyHash: string;
  alias: string | null;
}

const utf8 = new TextEncoder();

export async function dispatchOnce(ports: Ports, config: Config, event: AcceptedEvent, dedup: DedupKeys | null): Promise<DispatchOutcome> {
  if (dedup === null) return dispatch(ports, config, event);
  const store = ports.idempotency;
  const dedupKey = dedup.key;
  const windowMs = config.dedupWindowS * 1000;
  const [keyHash, aliasHash] = await Promise.all([sha256Hex(utf8.encode(dedupKey)), dedup.alias === null ? Promise.resolve("") : sha256Hex(utf8.encode(dedup.alias))]);
  const leaseMs = (event.rule.mode === "sync" ? event.rule.effectiveTimeoutMs : 0) + LEASE_MARGIN_MS;
  const waitMs = Math.min(leaseMs, MAX_DUPLICATE_WAIT_MS);
  // Queued async events (no signature alias to keep, no ordering stream): reserve, send, own (one row).
  if (event.rule.mode === "async" && event.ordering === null && dedup.alias === null)
    return acceptSendFirst(ports, event, { keyHash, key: dedupKey, bodyHash: dedup.bodyHash, windowMs, leaseMs, waitMs });
  let claim;
  let alias: AliasResult | null = null;
  try {
    [claim, alias] = await Promise.all([
      store.claim({ keyHash, key: dedupKey, bodyHash: dedup.bodyHash, windowMs, leaseMs, waitMs }),
      dedup.alias === null ? Promise.resolve(null) : store.alias(aliasHash, dedup.alias, dedupKey, windowMs),
    ]);
  } catch (error) {
    log("error", "dedup_store_failed", { trace_id: event.trace.traceId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "dedup store unavailable" };
  }
  if (alias !== null && alias.kind === "seen" && dedup.alias !== null) {
    const replay = await replayedSignature(store, alias.owner, claim.kind === "new" ? { keyHash, key: dedupKey } : null);
    if (replay !== null) return replay;
    // The first owner gave its key back without an answer: this request takes the signature over.
    ports.background.waitUntil(store.repoint(aliasHash, dedup.alias, dedupKey, windowMs).catch(() => undefined));
  }
  if (claim.kind !== "new") return keyHeldAnswer(claim);
  const outcome = await dispatch(ports, config, event, { keyHash, key: dedupKey, bodyHash: dedup.bodyHash, windowMs }).catch((error: unknown): DispatchOutcome => {
    log("error", "dispatch_failed", { trace_id: event.trace.traceId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "internal" } };
  });
  // An async accept's answer may ride on a later call to its shard (see adapters/idempotency-store).
  const defer = event.rule.mode === "async";
  const settle = outcome.kind === "answer" && outcome.keep !== false ? store.complete(keyHash, dedupKey, toStored(outcome.answer), defer) : store.release(keyHash, dedupKey);
  ports.background.waitUntil(settle.catch((error: unknown) => log("error", "dedup_settle_failed", { trace_id: event.trace.traceId, error: errorMessage(error) })));
  return outcome;
}

interface Claimed {
  keyHash: string;
  key: string;
  bodyHash: string;
  windowMs: number;
}

async function dispatch(ports: Ports, config: Config, event: AcceptedEvent, claimed: Claimed | null = null): Promise<DispatchOutcome> {
  for (const endpoint of event.filteredOut) ports.guard.noteFiltered(endpoint, event.rule.name);
  if (event.rule.mode === "async") return acceptAsync(ports, config, event);
  if (event.copies.length > 0) {
    const refused = await acceptCopiesOnce(ports, event, claimed);
    if (refused !== null) return refused;
  }
  return callSync(ports, config, event);
}

/**
 * A sync rule's other destinations get their asynchronous copies durably before the primary is
 * called, whatever it answers, and once per idempotency key: a producer's retry after an answer that
 * was not kept (5xx, timeout, 503) calls the primary again but sends no second copy (docs/contract.md §5).
 * Null when the copies are (or already were) accepted; a 503 problem when they could not be.
 */
async function acceptCopiesOnce(ports: Ports, event: AcceptedEvent, claimed: Claimed | null): Promise<DispatchOutcome | null> {
  const unavailable: DispatchOutcome = { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "copies not accepted" };
  const enqueue = async (): Promise<boolean> => {
    try {
      await enqueueCopies(ports, event, event.copies);
      return true;
    } catch (error) {
      log("error", "enqueue_failed", { trace_id: event.trace.traceId, message_id: event.messageId, route: event.rule.name, error: errorMessage(error) });
      return false;
    }
  };
  if (claimed === null) return (await enqueue()) ? null : unavailable;
  const key = `${claimed.key}#copies`;
  const keyHash = await sha256Hex(utf8.encode(key));
  const store = ports.idempotency;
  const claim = await store.claim({ keyHash, key, bodyHash: claimed.bodyHash, windowMs: claimed.windowMs, leaseMs: LEASE_MARGIN_MS, waitMs: 0 });
  if (claim.kind === "duplicate" || claim.kind === "conflict") return null; // accepted by an earlier attempt
  if (claim.kind === "busy") return unavailable; // an earlier attempt may still be sending them
  if (!(await enqueue())) {
    await store.release(keyHash, key).catch(() => undefined);
    return unavailable;
  }
  await store.complete(
    keyHash,
    key,
    toStored(
      acceptedAnswer(
        event.messageId,
        event.trace.traceId,
        event.copies.map((e) => e.name),
      ),
    ),
  );
  return null;
}

/**
 * A signature already accepted under another key: the first answer, or "in progress" while the
 * first request runs. Null when the first owner no longer holds its key (then this one proceeds).
 */
async function replayedSignature(store: IdempotencyStore, owner: string, ownClaim: { keyHash: string; key: string } | null): Promise<DispatchOutcome | null> {
  const ownerHash = await sha256Hex(utf8.encode(owner));
  const state = await store.peek(ownerHash, owner);
  if (state.kind === "absent") return null;
  if (ownClaim !== null) await store.release(ownClaim.keyHash, ownClaim.key);
  if (state.kind === "done") return { kind: "answer", answer: fromStored(state.answer), replay: true };
  return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1, detail: "This signed request is already being processed; retry later." } };
}
