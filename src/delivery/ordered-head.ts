// The use case an OrderedStream object runs for its head event: resolve what to deliver with, make
// one attempt, write the dead letter when it is final. The object only stores, sequences and alarms.
import type { LoadResult } from "../config/load";
import type { Ports } from "../ports";
import type { OrderedHeadStep } from "../ports/ordering";
import { errorMessage, log } from "../log";
import { asyncTimeoutMs, attemptDelivery, DEFAULT_ASYNC_TIMEOUT_MS } from "./attempt";
import { deadLetter } from "./dead-letter";
import { resolveTarget } from "./ordered";

/** How long a stream waits before trying again when no config can deliver its head. */
const CONFIG_WAIT_MS = 60_000;

export function orderedHeadStep(ports: Ports, live: LoadResult): OrderedHeadStep {
  return {
    timeoutMs(envelope, settings) {
      const target = resolveTarget(live, settings, envelope);
      return target.kind === "ok" ? asyncTimeoutMs(target.endpoint) : DEFAULT_ASYNC_TIMEOUT_MS;
    },

    async deliver(envelope, settings) {
      const target = resolveTarget(live, settings, envelope);
      if (target.kind === "config_invalid") {
        log("error", "ordered_config_invalid", { message_id: envelope.id, route: envelope.route });
        return { kind: "config_wait", at: ports.clock.now() + CONFIG_WAIT_MS };
      }
      if (target.kind === "endpoint_missing") {
        return {
          kind: "dead",
          reason: "rejected",
          attempts: envelope.attempt,
          lastStatus: envelope.last_status,
          lastError: `endpoint "${envelope.endpoint}" is no longer configured`,
        };
      }
      const outcome = await attemptDelivery(ports, target.config, target.endpoint, envelope);
      const decision = outcome.decision;
      switch (decision.kind) {
        case "delivered":
          return { kind: "delivered" };
        case "retry":
        case "wait":
          return { kind: "later", at: ports.clock.now() + decision.delayMs, attempt: outcome.attempt, lastStatus: outcome.lastStatus, lastError: outcome.lastError };
        case "dead_letter":
          return { kind: "dead", reason: decision.reason, attempts: outcome.attempt, lastStatus: outcome.lastStatus, lastError: outcome.lastError };
      }
    },

    async deadLetter(envelope, dead, settings) {
      const target = resolveTarget(live, settings, envelope);
      const onFailure = target.kind === "config_invalid" ? (settings?.onFailure ?? "dead_letter_and_continue") : target.onFailure;
      try {
        await deadLetter(ports, envelope, dead, { ordering_key: envelope.ordering?.key, sequence: envelope.ordering?.sequence, on_failure: onFailure });
      } catch (error) {
        log("error", "dead_letter_write_failed", { message_id: envelope.id, sequence: envelope.ordering?.sequence, error: errorMessage(error) });
        return { ok: false };
      }
      // The claim-checked body stays in R2: the dead letter refers to it.
      return { ok: true, onFailure };
    },

    async delivered(envelope) {
      if (envelope.body.kind !== "r2") return;
      await ports.payloads
        .release(envelope.body.key, envelope.endpoint)
        .catch((error: unknown) => log("warn", "payload_delete_failed", { message_id: envelope.id, error: errorMessage(error) }));
    },

    flush: () => ports.guard.flush(),
  };
}
