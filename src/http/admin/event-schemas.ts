// GET /admin/schemas: the config's event schemas (docs/contract.md §9) and the rules that use each.
import type * as z from "../../core/zod";
import type { AdminRouter } from "./router";
import { EventSchemasResponseSchema } from "./schemas";

export function registerEventSchemaRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/schemas",
      operationId: "listEventSchemas",
      scope: "read",
      tag: "routes",
      summary: "Event schemas (JSON Schema 2020-12) and the routing rules that validate against each",
      description: "Events a rule takes must match its schema, else 422 schema-violation; violations per route are in GET /admin/stats.",
      responses: { 200: { description: "Schemas", schema: EventSchemasResponseSchema }, 401: { description: "Missing or wrong bearer token", problem: true } },
    },
    async (c) => {
      const config = c.get("config");
      const body: z.input<typeof EventSchemasResponseSchema> = {
        items: [...config.schemas.values()].map((s) => ({
          name: s.name,
          schema: s.document,
          rules: config.rules
            .filter((r) => r.schema === s.name)
            .map((r) => ({ route: r.name, event_type: r.event_type, source: r.source ?? null, endpoint: r.endpoint, mode: r.mode })),
        })),
      };
      return c.json(body);
    },
  );
}
