// Queue consumers. Delivery queue: one attempt per message, then ack only after the next step is
// durable (re-enqueued with the next attempt count, or written to the dead-letter store). Dead-letter
// queue: land in the dead-letter store.
import type { Env } from "../env";
import { loadConfig } from "../config/load";
import { parseEnvelope, type Envelope } from "../core/envelope";
import { toQueueDelaySeconds } from "../core/retry";
import { sendEnvelope } from "../adapters/queue";
import { flushGuards } from "../adapters/endpoint-guard-client";
import { cloudflareStores } from "../adapters/d1";
import type { DeadLetterReason } from "../core/dead-letter";
import type { PayloadStore } from "../ports/payloads";
import type { DeadLetterStore } from "../ports/storage";
import type { Background, Runtime } from "../runtime";
import { errorMessage, log } from "../log";
import { attemptDelivery } from "./attempt";
import { noteDeadLetter } from "./dead-letter";

/** A config that cannot be loaded makes messages wait this long instead of failing. */
const CONFIG_INVALID_RETRY_S = 60;

export function isDeadLetterQueue(queueName: string): boolean {
  return queueName.endsWith("-dlq");
}

/** The stores a consumer writes to. */
export interface ConsumeStores {
  deadLetters: DeadLetterStore;
  payloads: PayloadStore;
}

export async function consumeBatch(batch: MessageBatch<unknown>, env: Env, ctx: Background, runtime: Runtime): Promise<void> {
  // Built once per batch here until the queue entry hands in its ports object.
  const stores: ConsumeStores = cloudflareStores(env);
  const handler = isDeadLetterQueue(batch.queue) ? consumeDeadLetter : consumeDelivery;
  await Promise.all(batch.messages.map((message) => handler(message, env, stores, ctx, runtime).catch((error: unknown) => {
    // Never ack in a catch: an unexpected error means "try again later".
    log("error", "consumer_error", { queue: batch.queue, queue_message_id: message.id, error: errorMessage(error) });
    message.retry({ delaySeconds: 5 });
  })));
  // The batch's delivery outcomes reach the endpoint guards now (stats, backlog), in one call each.
  ctx.waitUntil(flushGuards(env, () => runtime.now()));
}

async function consumeDelivery(message: Message<unknown>, env: Env, stores: ConsumeStores, ctx: Background, runtime: Runtime): Promise<void> {
  const parsed = parseEnvelope(message.body);
  if (!parsed.ok) {
    await storeMalformed(stores.deadLetters, message, parsed.problem, runtime.now());
    message.ack();
    return;
  }
  const envelope = parsed.envelope;
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  if (!loaded.ok) {
    log("error", "delivery_config_invalid", { message_id: envelope.id });
    message.retry({ delaySeconds: CONFIG_INVALID_RETRY_S });
    return;
  }
  const endpoint = loaded.config.endpoints.get(envelope.endpoint);
  if (endpoint === undefined) {
    await deadLetter(env, stores.deadLetters, ctx, envelope, "rejected", envelope.attempt, envelope.last_status, `endpoint "${envelope.endpoint}" is no longer configured`, runtime.now());
    message.ack();
    return;
  }
  const outcome = await attemptDelivery(env, loaded.config, endpoint, envelope, runtime);
  const { decision } = outcome;
  switch (decision.kind) {
    case "delivered":
      message.ack();
      if (envelope.body.kind === "r2") ctx.waitUntil(stores.payloads.delete(envelope.body).catch(() => undefined));
      return;
    case "retry":
    case "wait": {
      const next: Envelope = { ...envelope, attempt: outcome.attempt, last_status: outcome.lastStatus, last_error: outcome.lastError };
      await sendEnvelope(env, next, toQueueDelaySeconds(decision.delayMs));
      message.ack();
      return;
    }
    case "dead_letter":
      await deadLetter(env, stores.deadLetters, ctx, envelope, decision.reason, outcome.attempt, outcome.lastStatus, outcome.lastError, runtime.now());
      message.ack();
      return;
  }
}

/** Messages that exhausted Queues' own retries (the handler kept crashing) are kept as dead letters, never dropped. */
async function consumeDeadLetter(message: Message<unknown>, env: Env, stores: ConsumeStores, ctx: Background, runtime: Runtime): Promise<void> {
  const parsed = parseEnvelope(message.body);
  if (!parsed.ok) {
    await storeMalformed(stores.deadLetters, message, parsed.problem, runtime.now());
    message.ack();
    return;
  }
  const e = parsed.envelope;
  await deadLetter(env, stores.deadLetters, ctx, e, "exhausted", e.attempt, e.last_status, `delivery kept failing inside the gateway (Queues dead-letter queue)${e.last_error ? `; last: ${e.last_error}` : ""}`, runtime.now());
  message.ack();
}

async function deadLetter(
  env: Env, deadLetters: DeadLetterStore, ctx: Background, envelope: Envelope, reason: DeadLetterReason,
  attempts: number, lastStatus: number | null, lastError: string | null, now: number,
): Promise<void> {
  await deadLetters.write({ envelope, reason, attempts, lastStatus, lastError, failedAt: now });
  log("warn", "dead_lettered", {
    trace_id: envelope.trace_id, message_id: envelope.id, source: envelope.source, event_type: envelope.event_type,
    route: envelope.route, endpoint: envelope.endpoint, reason, attempt: attempts, status: lastStatus,
  });
  ctx.waitUntil(noteDeadLetter(env, envelope, now));
}

async function storeMalformed(deadLetters: DeadLetterStore, message: Message<unknown>, problem: string, now: number): Promise<void> {
  log("error", "malformed_envelope", { queue_message_id: message.id, problem });
  await deadLetters.writeMalformed({ queueMessageId: message.id, problem, raw: safeJson(message.body), at: now });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `[${v.byteLength} bytes]` : v)).slice(0, 60_000);
  } catch {
    return "[unserializable]";
  }
}
