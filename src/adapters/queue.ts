// Queue producer: sends a v1 envelope to the named producer binding, with an optional delay.
import type { Env } from "../env";
import { queueBinding } from "../env";
import type { Envelope } from "../core/envelope";

export class QueueMissingError extends Error {
  constructor(binding: string) {
    super(`queue producer binding ${binding} is not configured`);
    this.name = "QueueMissingError";
  }
}

export async function sendEnvelope(env: Env, envelope: Envelope, delaySeconds = 0): Promise<void> {
  const queue = queueBinding(env, envelope.queue);
  if (queue === undefined) throw new QueueMissingError(envelope.queue);
  // "v8" (structured clone) keeps the inline body a Uint8Array; the default "json" would turn it into
  // {"0":..,"1":..} and every envelope would arrive malformed.
  await queue.send(envelope, delaySeconds > 0 ? { contentType: "v8", delaySeconds } : { contentType: "v8" });
}
