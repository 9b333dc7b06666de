// Client of the OrderedStream objects, one per (route, ordering key): accept, replay, release, status.
import { errorMessage, log } from "../log";
import type { AcceptRequest, AcceptResult, OrderedStreamRpc, OrderingPort } from "../ports/ordering";

/** The object of one (route, key); NUL cannot occur in a route name, so names never collide. */
export function orderingObjectName(route: string, key: string): string {
  return `${route}\u0000${key}`;
}

export function orderingClient(namespace: DurableObjectNamespace<OrderedStreamRpc>): OrderingPort {
  const stream = (route: string, key: string) => namespace.get(namespace.idFromName(orderingObjectName(route, key)));
  return {
    async accept(route, key, req: AcceptRequest): Promise<AcceptResult> {
      try {
        return await stream(route, key).accept(req);
      } catch (error) {
        // accept() is idempotent by message id, so one retry of a transient failure cannot duplicate.
        if (!isRetryable(error)) throw error;
        log("warn", "ordered_accept_retry", { message_id: req.envelope.id, route, error: errorMessage(error) });
        return stream(route, key).accept(req);
      }
    },
    replay: (envelope) => stream(envelope.route, envelope.ordering.key).replay(envelope),
    deadLetterDeleted: (route, key, id) => stream(route, key).deadLetterDeleted(id),
    status: (route, key) => stream(route, key).status(),
  };
}

function isRetryable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { retryable?: unknown }).retryable === true && (error as Error & { overloaded?: unknown }).overloaded !== true;
}
