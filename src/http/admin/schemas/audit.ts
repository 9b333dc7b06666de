// The audit log (GET /admin/audit): its filters, one entry, a page.
import * as z from "../../../core/zod";
import { filterValue, int, iso, limit, responseSchemas } from "./common";

export const AuditQuerySchema = z.strictObject({
  actor: z.optional(filterValue()).check(z.describe("A token name, ADMIN_TOKEN, or an Access email")),
  action: z.optional(filterValue()).check(z.describe("dead_letter.replay, dead_letter.bulk_replay, dead_letter.delete, endpoint.reset, ...")),
  since: z.optional(z.iso.datetime({ error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z" })).check(z.describe("Entries at or after this time")),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))).check(z.describe("next_cursor of the previous page")),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: iso(),
    actor: z.string(),
    actor_via: z.enum(["token", "access"]),
    channel: z.enum(["api", "console"]),
    action: z.string(),
    target: z.nullable(z.string()),
    params: z.record(z.string(), z.unknown()),
    result: z.string(),
    count: z.nullable(int()),
    trace_id: z.string(),
  })
  .register(responseSchemas, { id: "AuditEntry" });

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), next_cursor: z.nullable(z.string()) }).register(responseSchemas, { id: "AuditPage" });
