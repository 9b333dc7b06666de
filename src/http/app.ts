// The Hono app: every request body settled before its answer, trace + HSTS on everything, the config
// gate, webhook ingress, the operator console, the admin API, a health probe. Ports and config arrive
// per request from the entry (GatewayBindings).
import type { Hono } from "hono";
import { newHono } from "./hono";
import { errorMessage, log } from "../log";
import type { AppEnv } from "./context";
import { traceMiddleware, stamp } from "./trace";
import { ingress } from "./ingress";
import { requestLogMiddleware } from "./request-log";
import { settleRequestBody } from "./drain";
import { problem, problemResponse } from "./problem";
import { createAdminApp } from "./admin/app";
import { createConsoleApp } from "./console/app";

const loggedInvalid = new WeakSet<object>();

export function createApp(): Hono<AppEnv> {
  const app = newHono<AppEnv>();
  // Outermost, so no answer (early, error or not) leaves an unread body on the connection.
  app.use("*", settleRequestBody());
  app.use("*", traceMiddleware());
  // docs/contract.md §1: with an invalid GATEWAY_CONFIG every request answers 500 config-invalid.
  app.use("*", async function configGate(c, next) {
    const loaded = c.env.config;
    if (!loaded.ok) {
      if (!loggedInvalid.has(loaded)) {
        loggedInvalid.add(loaded);
        log("error", "config_invalid", { problems: loaded.problems });
      }
      return problem(c, { kind: "config-invalid" });
    }
    c.set("config", loaded.config);
    await next();
  });
  app.use("/webhooks/*", requestLogMiddleware());
  app.all("/webhooks/:source", ingress);
  app.all("/webhooks/:source/:event_type", ingress);
  app.route("/admin/ui", createConsoleApp()); // before /admin: its bearer auth would answer 401 first
  app.route("/admin", createAdminApp());
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.notFound((c) => problem(c, { kind: "not-found" }));
  app.onError((error, c) => {
    const trace = c.get("trace");
    const traceId = trace?.traceId ?? "00000000000000000000000000000000";
    log("error", "unhandled_error", { trace_id: traceId, path: c.req.path, error: errorMessage(error) });
    const res = problemResponse({ kind: "internal" }, traceId);
    stamp(res.headers, traceId);
    return res;
  });
  return app;
}
