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
  await queue.send(envelope, delaySeconds > 0 ? { delaySeconds } : undefined);
}
