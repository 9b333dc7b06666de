// Endpoint lifecycle answers: the attempt log and an event's lookup (docs/contract.md §6, §7).
import * as z from "../../../../core/zod";
import { DEAD_LETTER_REASONS } from "../../../../core/dead-letter";
import { int, iso, responseSchemas } from "./common";

export const AttemptSchema = z
  .object({
    message_id: z.string(),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    attempt: int(),
    mode: z.enum(["sync", "async"]),
    status: z.nullable(int()).check(z.describe("null when no answer came")),
    outcome: z.enum(["delivered", "rejected", "failed", "timeout", "network_error"]),
    latency_ms: int(),
    lag_ms: int().check(z.describe("now − accepted_at when the attempt started")),
    error: z.nullable(z.string()),
    at: iso(),
    response_excerpt: z.nullable(z.string()).check(z.describe("First 1 KiB of the answer")),
    response_encoding: z.nullable(z.enum(["utf8", "base64"])),
  })
  .register(responseSchemas, { id: "Attempt" });

export const AttemptPageSchema = z.object({ items: z.array(AttemptSchema), next_cursor: z.nullable(z.string()) }).register(responseSchemas, { id: "AttemptPage" });

export const EventSchema = z
  .object({
    message_id: z.string(),
    source: z.nullable(z.string()),
    event_type: z.nullable(z.string()),
    route: z.nullable(z.string()),
    destinations: z.array(
      z.object({
        endpoint: z.string(),
        route: z.string(),
        state: z.enum(["queued", "delivered", "dead_lettered", "filtered", "waiting"]),
        attempts: z.array(AttemptSchema),
        dead_letter: z.nullable(z.object({ reason: z.enum(DEAD_LETTER_REASONS), status: z.string(), attempts: int(), failed_at: iso() })),
      }),
    ),
  })
  .register(responseSchemas, { id: "Event" });
