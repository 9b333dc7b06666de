// Alert silences (docs/contract.md §8): the request body, one silence, the list.
import * as z from "../../../core/zod";
import { iso, requestSchemas, responseSchemas } from "./common";

export const SilenceBodySchema = z
  .strictObject({
    endpoints: z.union([z.literal("*"), z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(100))], {
      error: 'must be a list of endpoint names or "*"',
    }),
    until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    reason: z.optional(z.string().check(z.maxLength(500, { error: "must be at most 500 characters" }))),
  })
  .register(requestSchemas, { id: "SilenceInput" });

export const SilenceSchema = z
  .object({
    id: z.string(),
    endpoints: z.union([z.literal("*"), z.array(z.string())]),
    until: iso(),
    reason: z.nullable(z.string()),
    created_at: iso(),
  })
  .register(responseSchemas, { id: "Silence" });

export const SilenceListSchema = z.object({ items: z.array(SilenceSchema) }).register(responseSchemas, { id: "SilenceList" });
