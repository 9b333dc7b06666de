// Middleware: adopt the caller's W3C traceparent or start a trace; stamp X-Trace-Id and HSTS on
// every response, errors included.
import type { MiddlewareHandler } from "hono";
import { parseTraceparent } from "../core/trace";
import { spanId, traceId } from "../core/ids";
import type { AppEnv } from "./context";

export const HSTS = "max-age=31536000; includeSubDomains";

export function traceMiddleware(): MiddlewareHandler<AppEnv> {
  return async function trace(c, next) {
    const incoming = parseTraceparent(c.req.header("traceparent"));
    const runtime = c.env.ports.clock;
    c.set("trace", {
      traceId: incoming?.traceId ?? traceId(runtime.randomBytes(16)),
      parentSpanId: incoming?.parentSpanId,
      spanId: spanId(runtime.randomBytes(8)),
      sampled: incoming?.sampled ?? true,
    });
    await next();
    stamp(c.res.headers, c.get("trace").traceId);
  };
}

export function stamp(headers: Headers, trace: string): void {
  if (!headers.has("X-Trace-Id")) headers.set("X-Trace-Id", trace);
  headers.set("Strict-Transport-Security", HSTS);
}
