// Dead letters and their side effects: the stored items (D1 through the port, one transaction per up
// to 100), the log lines, the endpoints' dead-letter counts for /admin/stats (which also settle the
// routes' backlogs, one guard call per endpoint and route), and fallbacks' final states.
import type { Envelope } from "../core/envelope";
import type { DeadLetterReason } from "../core/dead-letter";
import type { Ports } from "../ports";
import { MAX_DEAD_LETTER_BATCH } from "../ports/storage";
import { errorMessage, log, type LogFields } from "../log";
import { settleFallback } from "./fallbacks";

export interface DeadFacts {
  reason: DeadLetterReason;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export interface DeadLetterItem {
  envelope: Envelope;
  dead: DeadFacts;
  logFields?: LogFields;
}

type DeadLetterPorts = Pick<Ports, "deadLetters" | "guard" | "background" | "clock" | "fallbacks">;

/** Stores the dead letter; throws when it was not stored (the caller must not acknowledge the event). */
export async function deadLetter(ports: DeadLetterPorts, envelope: Envelope, dead: DeadFacts, logFields: LogFields = {}): Promise<void> {
  await deadLetterMany(ports, [{ envelope, dead, logFields }]);
}

/**
 * Stores a consumer batch's dead letters in one D1 transaction per MAX_DEAD_LETTER_BATCH (writeMany),
 * not one write each; throws when they were not stored (the caller acknowledges none of them).
 */
export async function deadLetterMany(ports: DeadLetterPorts, items: readonly DeadLetterItem[]): Promise<void> {
  if (items.length === 0) return;
  const now = ports.clock.now();
  for (let i = 0; i < items.length; i += MAX_DEAD_LETTER_BATCH) {
    const chunk = items.slice(i, i + MAX_DEAD_LETTER_BATCH);
    await ports.deadLetters.writeMany(
      chunk.map(({ envelope, dead }) => ({ envelope, reason: dead.reason, attempts: dead.attempts, lastStatus: dead.lastStatus, lastError: dead.lastError, failedAt: now })),
    );
  }
  const counts = new Map<string, { endpoint: string; route: string; n: number; messageId: string }>();
  for (const { envelope, dead, logFields } of items) {
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
    const id = JSON.stringify([envelope.endpoint, envelope.route]);
    const count = counts.get(id);
    if (count === undefined) counts.set(id, { endpoint: envelope.endpoint, route: envelope.route, n: 1, messageId: envelope.id });
    else count.n += 1;
    ports.background.waitUntil(settleFallback(ports, envelope, "dead_lettered", now));
  }
  for (const count of counts.values()) ports.background.waitUntil(noteDeadLetters(ports, count, now));
}

async function noteDeadLetters(ports: Pick<Ports, "guard">, c: { endpoint: string; route: string; n: number; messageId: string }, at: number): Promise<void> {
  try {
    await ports.guard.recordDeadLetter(c.endpoint, c.route, at, c.n);
  } catch (error) {
    log("warn", "dead_letter_stat_failed", { message_id: c.messageId, count: c.n, error: errorMessage(error) });
  }
}
