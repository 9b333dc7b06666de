// The answers of GET /admin/stats, /admin/schemas and /admin/fallbacks.
import * as z from "../../../../core/zod";
import { FALLBACK_REASONS } from "../../../../core/envelope";
import { FALLBACK_STATES } from "../../../../ports/storage";
import { int, iso, responseSchemas } from "./common";
import { StatsSchema } from "./endpoints";

export const StatsResponseSchema = z
  .object({
    window_s: int(),
    endpoints: z.array(
      z.extend(StatsSchema, {
        endpoint: z.string(),
        breaker: z.nullable(z.enum(["closed", "open", "half_open"])),
        inflight: z.nullable(int()),
        dlq_size: int().check(z.describe("Dead letters waiting (status dead)")),
      }),
    ),
    routes: z.array(
      z.extend(StatsSchema, {
        route: z.string(),
        endpoint: z.string(),
        dlq_size: int(),
        schema_violations: int().check(z.describe("Events refused 422 schema-violation by the route's schema, last hour")),
      }),
    ),
  })
  .register(responseSchemas, { id: "Stats" });

export const EventSchemasResponseSchema = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        schema: z.unknown().check(z.describe("The JSON Schema (draft 2020-12) as configured")),
        rules: z.array(z.object({ route: z.string(), event_type: z.string(), source: z.nullable(z.string()), endpoint: z.string(), mode: z.enum(["sync", "async"]) })),
      }),
    ),
  })
  .register(responseSchemas, { id: "EventSchemas" });

export const FallbackPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        trace_id: z.string(),
        source: z.string(),
        event_type: z.string(),
        route: z.string(),
        endpoint: z.string(),
        reason: z.enum(FALLBACK_REASONS),
        at: iso(),
        state: z.enum(FALLBACK_STATES).check(z.describe("Where the event stands: waiting (still being delivered), delivered, dead_lettered")),
        unreconciled: z.boolean().check(z.describe("Still waiting after the rule's reconcile_after_s (flagged by the cron)")),
        settled_at: z.nullable(iso()),
        replays: int().check(z.describe("Replays asked for by the endpoint's reconcile_url (at most 3)")),
      }),
    ),
    next_cursor: z.nullable(z.string()),
  })
  .register(responseSchemas, { id: "FallbackPage" });
