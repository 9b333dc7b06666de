// The admin API request schemas' shared pieces: small field builders and path parameters.
import * as z from "../../../core/zod";

export const filterValue = () => z.string().check(z.minLength(1, { error: "must not be empty" }), z.maxLength(256, { error: "must be at most 256 characters" }));

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
