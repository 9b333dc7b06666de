// Dead letters' answers (docs/contract.md §4): the item, its detail, a page, replay results.
import * as z from "../../../../core/zod";
import { DEAD_LETTER_REASONS, DEAD_LETTER_STATUSES } from "../../schemas";
import { int, iso, responseSchemas } from "./common";

export const DeadLetterSchema = z
  .object({
    id: z.string().check(z.describe("The dead letter's id: the message id, or `<message id>.<endpoint>` when the rule has several destinations")),
    message_id: z.string().check(z.describe("The message id (webhook-id) shared by every destination's copy")),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    endpoint: z.string(),
    reason: z.enum(DEAD_LETTER_REASONS),
    attempts: int(),
    last_status: z.nullable(int()),
    last_error: z.nullable(z.string()),
    trace_id: z.string(),
    created_at: iso(),
    failed_at: iso(),
    replay_count: int(),
    replayed_at: z.nullable(iso()),
    ordering_key: z.nullable(z.string()),
    sequence: z.nullable(int()),
  })
  .register(responseSchemas, { id: "DeadLetter" });

export const DeadLetterDetailSchema = z
  .extend(DeadLetterSchema, {
    status: z.enum(DEAD_LETTER_STATUSES),
    idempotency_key: z.nullable(z.string()),
    content_type: z.nullable(z.string()),
    body_size: int(),
    headers: z.record(z.string(), z.string()).check(z.describe("Headers forwarded with the event (credential-like values redacted)")),
    body: z.nullable(z.string()).check(z.describe("The body as received; null when its claim-check object is missing")),
    body_encoding: z.nullable(z.enum(["utf8", "base64"])),
  })
  .register(responseSchemas, { id: "DeadLetterDetail" });

export const DeadLetterPageSchema = z
  .object({
    items: z.array(DeadLetterSchema),
    next_cursor: z.nullable(z.string()),
  })
  .register(responseSchemas, { id: "DeadLetterPage" });

export const ReplayQueuedSchema = z
  .object({
    id: z.string(),
    status: z.literal("queued"),
    replay_count: int(),
  })
  .register(responseSchemas, { id: "ReplayQueued" });

export const BulkReplayResultSchema = z.object({ replayed: int() }).register(responseSchemas, { id: "BulkReplayResult" });
