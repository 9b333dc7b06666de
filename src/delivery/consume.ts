// Queue consumers. Delivery queue: one attempt per message, then ack only after the next step is
// durable (re-enqueued with the next attempt count, or written to D1 — a batch's dead letters in one
// D1 transaction). Dead-letter queue: land in D1, batched the same way.
import type { LoadResult } from "../config/load";
import { parseEnvelope, type Envelope } from "../core/envelope";
import { toQueueDelaySeconds } from "../core/retry";
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";
import { settleFallback } from "./fallbacks";
import { attemptDelivery } from "./attempt";
import { deadLetterMany, type DeadLetterItem } from "./dead-letter";
import { checkedMessages, withoutOwnerCheck } from "./owner-check";
import { DELIVERIES_AT_ONCE, forEachBounded } from "./bounded";

/** A config that cannot be loaded makes messages wait this long instead of failing. */
const CONFIG_INVALID_RETRY_S = 60;

export function isDeadLetterQueue(queueName: string): boolean {
  return queueName.endsWith("-dlq");
}

/** A message whose next step is a dead letter: acked once the batch's dead letters are stored. */
interface PendingDead {
  message: Message<unknown>;
  item: DeadLetterItem;
}

export async function consumeBatch(batch: MessageBatch<unknown>, ports: Ports, config: LoadResult): Promise<void> {
  const handler = isDeadLetterQueue(batch.queue) ? consumeDeadLetter : consumeDelivery;
  const dead: PendingDead[] = [];
  const toDeadLetters = (message: Message<unknown>, item: DeadLetterItem) => void dead.push({ message, item });
  // Messages sent before their key was claimed are delivered only by the key's owner (docs/dedup.md).
  // (A duplicate's copy that kept crashing the consumer is dropped from the dead-letter queue too.)
  const messages = await checkedMessages(batch.messages, ports, batch.queue);
  // At most DELIVERIES_AT_ONCE in flight (src/delivery/bounded.ts): the invocation's connection limit.
  await forEachBounded(messages, DELIVERIES_AT_ONCE, ({ message, envelope }) =>
    handler(message, ports, config, toDeadLetters, envelope).catch((error: unknown) => {
      // Never ack in a catch: an unexpected error means "try again later".
      log("error", "consumer_error", { queue: batch.queue, queue_message_id: message.id, error: errorMessage(error) });
      message.retry({ delaySeconds: 5 });
    }),
  );
  await storeDeadLetters(ports, batch.queue, dead);
  // The batch's delivery outcomes reach the endpoint guards now (stats, backlog), in one call each.
  ports.background.waitUntil(ports.guard.flush());
}

/** The batch's dead letters in one D1 transaction; all acked when stored, all retried when not. */
async function storeDeadLetters(ports: Ports, queue: string, dead: readonly PendingDead[]): Promise<void> {
  if (dead.length === 0) return;
  try {
    await deadLetterMany(
      ports,
      dead.map((d) => d.item),
    );
    for (const d of dead) d.message.ack();
  } catch (error) {
    log("error", "consumer_error", { queue, dead_letters: dead.length, error: errorMessage(error) });
    for (const d of dead) d.message.retry({ delaySeconds: 5 });
  }
}

type ToDeadLetters = (message: Message<unknown>, item: DeadLetterItem) => void;

/** `checked`: the envelope as the owner check parsed it (not parsed twice). */
async function consumeDelivery(message: Message<unknown>, ports: Ports, loaded: LoadResult, toDeadLetters: ToDeadLetters, checked?: Envelope): Promise<void> {
  const parsed = checked !== undefined ? { ok: true as const, envelope: checked } : parseEnvelope(message.body);
  if (!parsed.ok) {
    await storeMalformed(ports, message, parsed.problem);
    message.ack();
    return;
  }
  const envelope = withoutOwnerCheck(parsed.envelope);
  if (!loaded.ok) {
    log("error", "delivery_config_invalid", { message_id: envelope.id });
    message.retry({ delaySeconds: CONFIG_INVALID_RETRY_S });
    return;
  }
  const endpoint = loaded.config.endpoints.get(envelope.endpoint);
  if (endpoint === undefined) {
    toDeadLetters(message, {
      envelope,
      dead: { reason: "rejected", attempts: envelope.attempt, lastStatus: envelope.last_status, lastError: `endpoint "${envelope.endpoint}" is no longer configured` },
    });
    return;
  }
  const outcome = await attemptDelivery(ports, loaded.config, endpoint, envelope);
  const { decision } = outcome;
  switch (decision.kind) {
    case "delivered":
      message.ack();
      if (envelope.body.kind === "r2") ports.background.waitUntil(ports.payloads.release(envelope.body.key, envelope.endpoint).catch(() => undefined));
      ports.background.waitUntil(settleFallback(ports, envelope, "delivered", ports.clock.now()));
      return;
    case "retry":
    case "wait": {
      const next: Envelope = { ...envelope, attempt: outcome.attempt, last_status: outcome.lastStatus, last_error: outcome.lastError };
      await ports.queue.send(next, toQueueDelaySeconds(decision.delayMs));
      message.ack();
      return;
    }
    case "dead_letter":
      toDeadLetters(message, { envelope, dead: { reason: decision.reason, attempts: outcome.attempt, lastStatus: outcome.lastStatus, lastError: outcome.lastError } });
      return;
  }
}

/** Messages that exhausted Queues' own retries (the handler kept crashing) are kept in D1, never dropped. */
async function consumeDeadLetter(message: Message<unknown>, ports: Ports, _loaded: LoadResult, toDeadLetters: ToDeadLetters, checked?: Envelope): Promise<void> {
  const parsed = checked !== undefined ? { ok: true as const, envelope: checked } : parseEnvelope(message.body);
  if (!parsed.ok) {
    await storeMalformed(ports, message, parsed.problem);
    message.ack();
    return;
  }
  const e = withoutOwnerCheck(parsed.envelope);
  const lastError = `delivery kept failing inside the gateway (Queues dead-letter queue)${e.last_error ? `; last: ${e.last_error}` : ""}`;
  toDeadLetters(message, { envelope: e, dead: { reason: "exhausted", attempts: e.attempt, lastStatus: e.last_status, lastError } });
}

async function storeMalformed(ports: Pick<Ports, "deadLetters" | "clock">, message: Message<unknown>, problem: string): Promise<void> {
  log("error", "malformed_envelope", { queue_message_id: message.id, problem });
  await ports.deadLetters.writeMalformed({ queueMessageId: message.id, problem, raw: safeJson(message.body), at: ports.clock.now() });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `[${v.byteLength} bytes]` : v)).slice(0, 60_000);
  } catch {
    return "[unserializable]";
  }
}
