// The audit log's answers (GET /admin/audit): one entry, a page.
import * as z from "../../../../core/zod";
import { int, iso, responseSchemas } from "./common";

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
