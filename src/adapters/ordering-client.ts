// Client of the OrderedStream objects, one per (route, ordering key): accept, replay, release, status.
import { errorMessage, log } from "../log";
import type { Envelope } from "../core/envelope";
import type { AcceptRequest, AcceptResult, OrderedStreamRpc, OrderingPort, StreamId } from "../ports/ordering";

/**
 * The object of one stream: (route, key), or (route, destination, key) on a rule with several
 * destinations. NUL occurs in no route or endpoint name, so names never collide.
 */
export function orderingObjectName(stream: StreamId): string {
  return stream.endpoint === null ? `${stream.route}\u0000${stream.key}` : `${stream.route}\u0000${stream.endpoint}\u0000${stream.key}`;
}

export function streamOf(envelope: Pick<Envelope, "route" | "endpoint" | "fanout">, key: string): StreamId {
  return { route: envelope.route, endpoint: envelope.fanout === true ? envelope.endpoint : null, key };
}

export function orderingClient(namespace: DurableObjectNamespace<OrderedStreamRpc>): OrderingPort {
  const stream = (id: StreamId) => namespace.get(namespace.idFromName(orderingObjectName(id)));
  return {
    async accept(req: AcceptRequest): Promise<AcceptResult> {
      const id = streamOf(req.envelope, req.key);
      try {
        return await stream(id).accept(req);
      } catch (error) {
        // accept() is idempotent by message id, so one retry of a transient failure cannot duplicate.
        if (!isRetryable(error)) throw error;
        log("warn", "ordered_accept_retry", { message_id: req.envelope.id, route: id.route, error: errorMessage(error) });
        return stream(id).accept(req);
      }
    },
    replay: (envelope) => stream(streamOf(envelope, envelope.ordering.key)).replay(envelope),
    deadLetterDeleted: (id, messageId) => stream(id).deadLetterDeleted(messageId),
    status: (id) => stream(id).status(),
  };
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { retryable?: unknown }).retryable === true && (error as Error & { overloaded?: unknown }).overloaded !== true;
}
