// The Hono environment shared by routes and middleware: bindings, per-request trace, injected runtime.
import type { Env } from "../env";
import type { TraceContext } from "../core/trace";
import type { Runtime } from "../runtime";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    trace: TraceContext;
    runtime: Runtime;
  };
}
