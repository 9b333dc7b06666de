// Middleware: exactly one structured `ingress` log line per webhook request, with the fields the
// ingress route learned along the way (source, event type, route, message id, problem…).
import type { MiddlewareHandler } from "hono";
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
      ...fields,
    });
  };
}
