// The Hono environment shared by routes and middleware. The Worker's entry hands the app the
// invocation's ports and the loaded config as its "bindings"; the http layer never sees `env`.
import type { Config, LoadResult } from "../config/load";
import type { Principal } from "../core/admin-scope";
import type { TraceContext } from "../core/trace";
import type { Ports } from "../ports";

/** Fields of the one `ingress` log line per webhook request; ids, names and numbers only. */
export type RequestLog = Record<string, string | number | boolean | null | undefined>;

/** What the entry passes to `app.fetch` for one request. */
export interface GatewayBindings {
  ports: Ports;
  /** GATEWAY_CONFIG as loaded (memoised per isolate); the config gate answers 500 when it is invalid. */
  config: LoadResult;
}

export interface AppEnv {
  Bindings: GatewayBindings;
  Variables: {
    trace: TraceContext;
    requestLog: RequestLog;
    /** The valid config, set once per request by the config gate. */
    config: Config;
    /** Who an admin or console request authenticated as (set by their auth middleware). */
    principal?: Principal;
  };
}
