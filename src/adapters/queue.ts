// Queue producer: sends a v1 envelope, with an optional delay, to the shard of the producer binding
// it names (core/queue-shard: by message id, or by ordering key; K from config `queue_shards`).
import type { Envelope } from "../core/envelope";
import { queueBindingFor } from "../core/queue-shard";
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

/**
 * `binding(name)`: the Queue producer binding of that name, if the Worker has one. `shardsOf(base)`:
 * how many bindings the envelope's `queue` spreads over (1 when not sharded). Retries and replays go
 * through here too, so they always land in one of the current shards.
 */
export function deliveryQueue(binding: (name: string) => Queue<unknown> | undefined, shardsOf: (base: string) => number = () => 1): DeliveryQueue {
  const target = (envelope: Envelope) => queueBindingFor(envelope, shardsOf(envelope.queue));
  return {
    async send(envelope, delaySeconds = 0) {
      const name = target(envelope);
      const queue = binding(name);
      if (queue === undefined) throw new QueueMissingError(name);
      // "v8" (structured clone) keeps the inline body a Uint8Array; the default "json" would turn it into
      // {"0":..,"1":..} and every envelope would arrive malformed.
      await queue.send(envelope, delaySeconds > 0 ? { contentType: "v8", delaySeconds } : { contentType: "v8" });
    },
    async sendBatch(envelopes) {
      // One sendBatch per destination binding (copies of a fan-out may hash to different shards).
      const byBinding = new Map<string, Envelope[]>();
      for (const envelope of envelopes) {
        const name = target(envelope);
        const list = byBinding.get(name);
        if (list === undefined) byBinding.set(name, [envelope]);
        else list.push(envelope);
      }
      const batches = [...byBinding].flatMap(([name, list]) => chunk(list).map((batch) => ({ name, batch })));
      await Promise.all(
        batches.map(async ({ name, batch }) => {
          const queue = binding(name);
          if (queue === undefined) throw new QueueMissingError(name);
          await queue.sendBatch(batch.map((body) => ({ body, contentType: "v8" as const })));
        }),
      );
    },
  };
}

/** Splits a binding's envelopes into sendBatch calls within Queues' message-count and byte limits. */
function chunk(envelopes: readonly Envelope[]): Envelope[][] {
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
  return batches;
}
