// Queue producer: sends a v1 envelope to the producer binding it names, with an optional delay.
import type { DeliveryQueue } from "../ports/queue";

export class QueueMissingError extends Error {
  constructor(binding: string) {
    super(`queue producer binding ${binding} is not configured`);
    this.name = "QueueMissingError";
  }
}

/** `binding(name)`: the Queue producer binding of that name, if the Worker has one. */
export function deliveryQueue(binding: (name: string) => Queue<unknown> | undefined): DeliveryQueue {
  return {
    async send(envelope, delaySeconds = 0) {
      const queue = binding(envelope.queue);
      if (queue === undefined) throw new QueueMissingError(envelope.queue);
      // "v8" (structured clone) keeps the inline body a Uint8Array; the default "json" would turn it into
      // {"0":..,"1":..} and every envelope would arrive malformed.
      await queue.send(envelope, delaySeconds > 0 ? { contentType: "v8", delaySeconds } : { contentType: "v8" });
    },
  };
}
