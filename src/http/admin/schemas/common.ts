// The admin API schemas' shared pieces: the two OpenAPI registries (`responseSchemas` described as
// output, `requestSchemas` as input), small field builders, the problem body and path parameters.
import * as z from "../../../core/zod";

export const responseSchemas = z.registry<{ id: string }>();
export const requestSchemas = z.registry<{ id: string }>();

export const int = () => z.number().check(z.int());
export const iso = () => z.iso.datetime().check(z.describe("ISO 8601 timestamp (UTC)"));
export const filterValue = () => z.string().check(z.minLength(1, { error: "must not be empty" }), z.maxLength(256, { error: "must be at most 256 characters" }));

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: int(),
    detail: z.string(),
    trace_id: z.string(),
  })
  .check(z.describe("RFC 9457 problem details"))
  .register(responseSchemas, { id: "Problem" });

/** A `limit` query parameter: an integer from 1 to `max`, `fallback` when absent. */
export const limit = (max: number, fallback: number) =>
  z._default(
    z.coerce
      .number({ error: `must be an integer from 1 to ${max}` })
      .check(
        z.int({ error: `must be an integer from 1 to ${max}` }),
        z.gte(1, { error: `must be an integer from 1 to ${max}` }),
        z.lte(max, { error: `must be an integer from 1 to ${max}` }),
      ),
    fallback,
  );

export const IdParamsSchema = z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
export const NameParamsSchema = z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(64)) });
