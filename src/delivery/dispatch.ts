// Dedup around dispatch: claim the idempotency key, run the route's use case once, keep its
// answer for duplicates (also concurrent ones), or give the key back when the attempt failed.
import type { Env } from "../env";
import type { Config } from "../config/load";
import type { Problem } from "../core/problems";
import { sha256Hex } from "../core/signatures";
import { idempotencyStore } from "../adapters/idempotency-store";
import { errorMessage, log } from "../log";
import { fromStored, toStored, type Answer } from "./answer";
import type { AcceptedEvent } from "./event";
import { acceptAsync } from "./accept-async";
import { callSync } from "./sync-call";
import type { Background, Runtime } from "../runtime";

export type DispatchOutcome =
  | { kind: "answer"; answer: Answer; replay: boolean; keep?: boolean }
  | { kind: "problem"; problem: Problem; reason?: string };

/** How long a first request may hold its key; a sync call's timeout plus margin. */
const LEASE_MARGIN_MS = 10_000;
/** How long a concurrent duplicate waits for the first answer before being told to retry. */
const MAX_DUPLICATE_WAIT_MS = 30_000;

export async function dispatchOnce(
  env: Env,
  ctx: Background,
  config: Config,
  event: AcceptedEvent,
  runtime: Runtime,
  dedupKey: string | null,
  bodyHash: string,
): Promise<DispatchOutcome> {
  if (dedupKey === null) return dispatch(env, ctx, config, event, runtime);
  const store = idempotencyStore(env);
  const keyHash = await sha256Hex(new TextEncoder().encode(dedupKey));
  const leaseMs = (event.rule.mode === "sync" ? event.rule.effectiveTimeoutMs : 0) + LEASE_MARGIN_MS;
  let claim;
  try {
    claim = await store.claim({ keyHash, key: dedupKey, bodyHash, windowMs: config.dedupWindowS * 1000, leaseMs, waitMs: Math.min(leaseMs, MAX_DUPLICATE_WAIT_MS) });
  } catch (error) {
    log("error", "dedup_store_failed", { trace_id: event.trace.traceId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1 }, reason: "dedup store unavailable" };
  }
  switch (claim.kind) {
    case "duplicate":
      return { kind: "answer", answer: fromStored(claim.answer), replay: true };
    case "conflict":
      return { kind: "problem", problem: { kind: "idempotency-key-reused" } };
    case "busy":
      return { kind: "problem", problem: { kind: "unavailable", retryAfterS: 1, detail: "A request with this idempotency key is still in progress; retry later." } };
    case "new":
      break;
  }
  const outcome = await dispatch(env, ctx, config, event, runtime).catch((error: unknown): DispatchOutcome => {
    log("error", "dispatch_failed", { trace_id: event.trace.traceId, error: errorMessage(error) });
    return { kind: "problem", problem: { kind: "internal" } };
  });
  const settle = outcome.kind === "answer" && outcome.keep !== false
    ? store.complete(keyHash, dedupKey, toStored(outcome.answer))
    : store.release(keyHash, dedupKey);
  ctx.waitUntil(settle.catch((error: unknown) => log("error", "dedup_settle_failed", { trace_id: event.trace.traceId, error: errorMessage(error) })));
  return outcome;
}

async function dispatch(env: Env, ctx: Background, config: Config, event: AcceptedEvent, runtime: Runtime): Promise<DispatchOutcome> {
  if (event.rule.mode === "async") return acceptAsync(env, event);
  return callSync(env, ctx, config, event, runtime);
}
