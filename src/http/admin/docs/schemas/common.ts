// The OpenAPI registries (`responseSchemas` described as output, `requestSchemas` as input), the field
// builders of the response schemas and the problem body. Build-time only: the Worker never imports docs/.
import * as z from "../../../../core/zod";

export const responseSchemas = z.registry<{ id: string }>();
export const requestSchemas = z.registry<{ id: string }>();

export const int = () => z.number().check(z.int());
export const iso = () => z.iso.datetime().check(z.describe("ISO 8601 timestamp (UTC)"));

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
