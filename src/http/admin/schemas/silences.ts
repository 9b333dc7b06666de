// Alert silences (docs/contract.md §8): the request body.
import * as z from "../../../core/zod";

export const SilenceBodySchema = z.strictObject({
  endpoints: z.union([z.literal("*"), z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(100))], {
    error: 'must be a list of endpoint names or "*"',
  }),
  until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
  reason: z.optional(z.string().check(z.maxLength(500, { error: "must be at most 500 characters" }))),
});
