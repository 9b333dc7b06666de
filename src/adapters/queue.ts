// Queue producer: sends a v1 envelope to the producer binding it names, with an optional delay.
import type { Envelope } from "../core/envelope";
import { headerBytes } from "../core/envelope";
import type { DeliveryQueue } from "../ports/queue";

/** Queues' sendBatch limits: 100 messages, 256 KB in all (with room for the serialisation overhead). */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 240 * 1024;
/** An envelope's fields besides its body and headers, serialised, with room to spare. */
const ENVELOPE_OVERHEAD_BYTES = 2 * 1024;

function approximateSize(envelope: Envelope): number {
  return ENVELOPE_OVERHEAD_BYTES + headerBytes(envelope.headers) + (envelope.body.kind === "inline" ? envelope.body.bytes.byteLength : 0);
}

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
    async sendBatch(envelopes) {
      const batches: Envelope[][] = [];
      let current: Envelope[] = [];
      let bytes = 0;
      for (const envelope of envelopes) {
        const size = approximateSize(envelope);
        if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
          batches.push(current);
          current = [];
          bytes = 0;
        }
        current.push(envelope);
        bytes += size;
      }
      if (current.length > 0) batches.push(current);
      await Promise.all(
        batches.map(async (batch) => {
          const name = batch[0]?.queue ?? "";
          const queue = binding(name);
          if (queue === undefined) throw new QueueMissingError(name);
          await queue.sendBatch(batch.map((body) => ({ body, contentType: "v8" as const })));
        }),
      );
    },
  };
}
