// Middleware: exactly one structured `ingress` log line per webhook request, with the fields the
// ingress route learned along the way (source, event type, route, message id, problem…), and the
// producer-side queue time from an incoming X-Request-Start.
import type { MiddlewareHandler } from "hono";
import { producerQueueMs } from "../core/request-start";
import { log } from "../log";
import type { AppEnv, RequestLog } from "./context";

export function requestLogMiddleware(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const runtime = c.env.ports.clock;
    const started = runtime.now();
    const fields: RequestLog = {};
    c.set("requestLog", fields);
    await next();
    const status = c.res.status;
    const trace = c.get("trace");
    log(status >= 500 ? "warn" : "info", "ingress", {
      trace_id: trace.traceId,
      "span.name": "webhook.ingress",
      "span.id": trace.spanId,
      "span.parent_id": trace.parentSpanId,
      method: c.req.method,
      status,
      latency_ms: runtime.now() - started,
      // An incoming X-Request-Start: how long the producer held the event before sending it.
      producer_queue_ms: producerQueueMs(c.req.header("X-Request-Start"), started) ?? undefined,
      ...fields,
    });
  };
}
