// A dead letter and its side effects: the stored item (D1 through the port), the log line, and the
// endpoint's dead-letter count for /admin/stats (which also settles the route's backlog), and a
// fallback's final state for reconciliation.
import type { Envelope } from "../core/envelope";
import type { DeadLetterReason } from "../core/dead-letter";
import type { Ports } from "../ports";
import { errorMessage, log, type LogFields } from "../log";
import { settleFallback } from "./fallbacks";

export interface DeadFacts {
  reason: DeadLetterReason;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

/** Stores the dead letter; throws when it was not stored (the caller must not acknowledge the event). */
export async function deadLetter(
  ports: Pick<Ports, "deadLetters" | "guard" | "background" | "clock" | "fallbacks">,
  envelope: Envelope,
  dead: DeadFacts,
  logFields: LogFields = {},
): Promise<void> {
  const now = ports.clock.now();
  await ports.deadLetters.write({ envelope, reason: dead.reason, attempts: dead.attempts, lastStatus: dead.lastStatus, lastError: dead.lastError, failedAt: now });
  log("warn", "dead_lettered", {
    trace_id: envelope.trace_id,
    message_id: envelope.id,
    source: envelope.source,
    event_type: envelope.event_type,
    route: envelope.route,
    endpoint: envelope.endpoint,
    reason: dead.reason,
    attempt: dead.attempts,
    status: dead.lastStatus,
    ...logFields,
  });
  ports.background.waitUntil(noteDeadLetter(ports, envelope, now));
  ports.background.waitUntil(settleFallback(ports, envelope, "dead_lettered", now));
}

async function noteDeadLetter(ports: Pick<Ports, "guard">, envelope: Envelope, at: number): Promise<void> {
  try {
    await ports.guard.recordDeadLetter(envelope.endpoint, envelope.route, at);
  } catch (error) {
    log("warn", "dead_letter_stat_failed", { message_id: envelope.id, error: errorMessage(error) });
  }
}
