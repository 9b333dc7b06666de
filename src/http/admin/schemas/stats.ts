// The fallbacks list's filters (GET /admin/fallbacks).
import * as z from "../../../core/zod";
import { FALLBACK_REASONS } from "../../../core/envelope";
import { FALLBACK_STATES } from "../../../ports/storage";
import { filterValue, limit } from "./common";

const FALLBACK_STATE_FILTERS = ["unreconciled", ...FALLBACK_STATES] as const;

export const FallbackQuerySchema = z.strictObject({
  source: z.optional(filterValue()),
  endpoint: z.optional(filterValue()),
  reason: z.optional(z.enum(FALLBACK_REASONS, { error: `must be one of ${FALLBACK_REASONS.join(", ")}` })),
  state: z.optional(z.enum(FALLBACK_STATE_FILTERS, { error: `must be one of ${FALLBACK_STATE_FILTERS.join(", ")}` })),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
