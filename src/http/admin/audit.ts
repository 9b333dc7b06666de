// GET /admin/audit: the audit log, newest first, by actor, action and a `since` time, one page at a time.
import type * as z from "../../core/zod";
import type { AuditEntry } from "../../ports/audit";
import { problem } from "../problem";
import { decodeCursor, encodeCursor } from "./cursor";
import type { AdminRouter } from "./router";
import type { AuditEntrySchema, AuditPageSchema } from "./docs/schemas";
import { AuditQuerySchema } from "./schemas";

export function auditItem(e: AuditEntry): z.input<typeof AuditEntrySchema> {
  let params: Record<string, unknown> = {};
  try {
    params = JSON.parse(e.params) as Record<string, unknown>;
  } catch {
    params = {};
  }
  return { ...e, at: new Date(e.at).toISOString(), params };
}

export function registerAuditRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/audit",
      operationId: "listAuditEntries",
      scope: "read",
      query: AuditQuerySchema,
    },
    async (c, { query }) => {
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      if (cursor === null && query.cursor !== undefined) {
        return problem(c, { kind: "invalid-input", detail: "Invalid query: cursor: not a next_cursor returned by this API" });
      }
      const since = query.since === undefined ? undefined : Date.parse(query.since);
      const page = await c.env.ports.audit.list({ actor: query.actor, action: query.action, since, limit: query.limit, after: cursor });
      const body: z.input<typeof AuditPageSchema> = { items: page.rows.map(auditItem), next_cursor: page.next === null ? null : encodeCursor(page.next) };
      return c.json(body);
    },
  );
}
