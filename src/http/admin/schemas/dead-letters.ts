// Dead letters (docs/contract.md §4): the statuses, the list filters, the bulk replay body.
import * as z from "../../../core/zod";
import { DEAD_LETTER_REASONS } from "../../../core/dead-letter";
import type { DeadLetterStatus } from "../../../ports/storage";
import { filterValue, limit } from "./common";

export { DEAD_LETTER_REASONS };
export const DEAD_LETTER_STATUSES = ["dead", "replaying", "replayed"] as const satisfies readonly DeadLetterStatus[];

const deadLetterFilters = {
  source: z.optional(filterValue()),
  event_type: z.optional(filterValue()),
  endpoint: z.optional(filterValue()).check(z.describe("The destination endpoint")),
  reason: z.optional(z.enum(DEAD_LETTER_REASONS, { error: `must be one of ${DEAD_LETTER_REASONS.join(", ")}` })),
};

export const DeadLetterQuerySchema = z.strictObject({
  ...deadLetterFilters,
  message_id: z.optional(filterValue()).check(z.describe("Every destination's item of one message")),
  status: z._default(z.enum(DEAD_LETTER_STATUSES, { error: `must be one of ${DEAD_LETTER_STATUSES.join(", ")}` }), "dead"),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))).check(z.describe("next_cursor of the previous page")),
});

export const BulkReplayBodySchema = z.strictObject({
  ...deadLetterFilters,
  limit: z._default(
    z
      .number({ error: "must be an integer from 1 to 200" })
      .check(
        z.int({ error: "must be an integer from 1 to 200" }),
        z.gte(1, { error: "must be an integer from 1 to 200" }),
        z.lte(200, { error: "must be an integer from 1 to 200" }),
      ),
    100,
  ),
});
