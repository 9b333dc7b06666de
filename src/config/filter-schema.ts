// The zod piece for a content filter (CONTRACT §5): core's compileFilter does the checking, and
// each of its problems becomes a zod issue at its JSON path inside the filter.
import * as z from "zod";
import { compileFilter, type CompiledFilter, type FilterJson, type FilterProblem } from "../core/filter";

const DESCRIPTION = "A content filter: field paths (body.<dot.path>, headers.<name>, event_type, source) to a literal or operators; $and, $or, $not";

function report(problems: readonly FilterProblem[], ctx: z.RefinementCtx): void {
  for (const p of problems) ctx.addIssue({ code: "custom", path: [...p.path], message: p.message });
}

/**
 * Validates a filter and keeps it as written (for the parsed config, the console and config:check).
 * `z.custom`, not `z.record`: a record copies the object and silently drops a `__proto__` key.
 */
export const filterSchema = z
  .custom<FilterJson>(() => true)
  .superRefine((value, ctx) => {
    const result = compileFilter(value);
    if (!result.ok) report(result.problems, ctx);
  })
  .meta({ type: "object", description: DESCRIPTION });

/** Validates a filter and compiles it, once, at config load; the source stays in `.json`. */
export const compiledFilterSchema = z.unknown().transform((value, ctx): CompiledFilter => {
  const result = compileFilter(value);
  if (result.ok) return result.filter;
  report(result.problems, ctx);
  return z.NEVER;
});
