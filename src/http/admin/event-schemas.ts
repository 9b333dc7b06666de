// GET /admin/schemas: the config's event schemas (docs/contract.md §9) and the rules that use each.
import type * as z from "../../core/zod";
import type { AdminRouter } from "./router";
import type { EventSchemasResponseSchema } from "./docs/schemas";

export function registerEventSchemaRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/schemas",
      operationId: "listEventSchemas",
      scope: "read",
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
