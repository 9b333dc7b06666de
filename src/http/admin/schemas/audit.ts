// The audit log (GET /admin/audit): its filters.
import * as z from "../../../core/zod";
import { filterValue, limit } from "./common";

export const AuditQuerySchema = z.strictObject({
  actor: z.optional(filterValue()).check(z.describe("A token name, ADMIN_TOKEN, or an Access email")),
  action: z.optional(filterValue()).check(z.describe("dead_letter.replay, dead_letter.bulk_replay, dead_letter.delete, endpoint.reset, ...")),
  since: z.optional(z.iso.datetime({ error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z" })).check(z.describe("Entries at or after this time")),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))).check(z.describe("next_cursor of the previous page")),
});
