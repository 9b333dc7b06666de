// The Hono environment shared by routes and middleware: bindings, per-request trace, injected runtime.
import type { Env } from "../env";
import type { TraceContext } from "../core/trace";
import type { Runtime } from "../runtime";

/** Fields of the one `ingress` log line per webhook request; ids, names and numbers only. */
export type RequestLog = Record<string, string | number | boolean | null | undefined>;

export interface AppEnv {
  Bindings: Env;
  Variables: {
    trace: TraceContext;
    runtime: Runtime;
    requestLog: RequestLog;
  };
}
