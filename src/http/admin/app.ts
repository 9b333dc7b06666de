// The admin API, mounted at /admin: bearer auth in front of every route, the routes of each concern,
// and GET /admin/openapi.json, generated from the same declarations that validate the requests.
import type { Hono } from "hono";
import { newHono } from "../hono";
import type { AppEnv } from "../context";
import { adminAuth } from "./auth";
import { registerAuditRoutes } from "./audit";
import { registerDlqRoutes } from "./dlq";
import { registerEndpointRoutes } from "./endpoints";
import { registerLifecycleRoutes } from "./lifecycle";
import { registerEventSchemaRoutes } from "./event-schemas";
import { openApiDocument } from "./openapi";
import { AdminRouter } from "./router";
import { OpenApiDocumentSchema } from "./schemas";
import { registerStatsRoutes } from "./stats";
import { registerSilenceRoutes } from "./silences";

export const ADMIN_API_VERSION = "1.0.0";

export function createAdminApp(): Hono<AppEnv> {
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
  let document: Record<string, unknown> | undefined;
  router.add(
    {
      method: "get",
      path: "/openapi.json",
      operationId: "getOpenApiDocument",
      tag: "meta",
      scope: "read",
      summary: "This document (OpenAPI 3.1)",
      responses: { 200: { description: "The OpenAPI document", schema: OpenApiDocumentSchema }, 401: { description: "Missing or wrong bearer token", problem: true } },
    },
    async (c) => {
      document ??= openApiDocument(router.operations, ADMIN_API_VERSION);
      return c.json(document);
    },
  );
  return admin;
}
