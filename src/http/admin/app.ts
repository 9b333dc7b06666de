// The admin API, mounted at /admin: bearer auth in front of every route, the routes of each concern,
// and GET /admin/openapi.json: generated at build time (`npm run openapi`, ./docs/openapi.ts) from the
// same declarations that validate the requests, served from the assets binding (not in the bundle).
import type { Hono } from "hono";
import { newHono } from "../hono";
import type { AppEnv } from "../context";
import { adminAuth } from "./auth";
import { registerAuditRoutes } from "./audit";
import { registerDlqRoutes } from "./dlq";
import { registerEndpointRoutes } from "./endpoints";
import { registerLifecycleRoutes } from "./lifecycle";
import { registerEventSchemaRoutes } from "./event-schemas";
import { problem } from "../problem";
import { AdminRouter, type RouteSpec } from "./router";
import { registerStatsRoutes } from "./stats";
import { registerSilenceRoutes } from "./silences";

export const ADMIN_API_VERSION = "1.0.0";

export function createAdminApp(): Hono<AppEnv> {
  return buildAdminApp().admin;
}

/** Every admin operation as declared (the OpenAPI generator's input: scripts/openapi.ts). */
export function adminOperations(): readonly RouteSpec[] {
  return buildAdminApp().router.operations;
}

function buildAdminApp(): { admin: Hono<AppEnv>; router: AdminRouter } {
  const admin = newHono<AppEnv>();
  admin.use("*", adminAuth());
  const router = new AdminRouter(admin);
  registerEndpointRoutes(router);
  registerLifecycleRoutes(router);
  registerDlqRoutes(router);
  registerStatsRoutes(router);
  registerSilenceRoutes(router);
  registerEventSchemaRoutes(router);
  registerAuditRoutes(router);
  router.add(
    {
      method: "get",
      path: "/openapi.json",
      operationId: "getOpenApiDocument",
      scope: "read",
    },
    async (c) => {
      const document = await c.env.ports.documents.openApi();
      if (document === null)
        return problem(c, { kind: "unavailable", retryAfterS: 60, detail: "The OpenAPI document is not deployed with this Worker; run `npm run openapi` and deploy." });
      return c.body(document, 200, { "Content-Type": "application/json" });
    },
  );
  return { admin, router };
}
