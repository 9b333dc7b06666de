// The zod piece for a content filter (CONTRACT §5): core's compileFilter does the checking, and
// each of its problems becomes a zod issue at its JSON path inside the filter.
import * as z from "../core/zod";
import { compileFilter, type CompiledFilter, type FilterJson, type FilterProblem } from "../core/filter";

const DESCRIPTION = "A content filter: field paths (body.<dot.path>, headers.<name>, event_type, source) to a literal or operators; $and, $or, $not";

type CustomIssue = { code: "custom"; path: PropertyKey[]; message: string };

function report(problems: readonly FilterProblem[], add: (issue: CustomIssue) => void): void {
  for (const p of problems) add({ code: "custom", path: [...p.path], message: p.message });
}

/**
 * Validates a filter and keeps it as written (for the parsed config, the console and config:check).
 * `z.custom`, not `z.record`: a record copies the object and silently drops a `__proto__` key.
 */
export const filterSchema = z
  .custom<FilterJson>(() => true)
  .check(
    z.superRefine((value, ctx) => {
      const result = compileFilter(value);
      if (!result.ok) report(result.problems, (issue) => ctx.addIssue(issue));
    }),
    z.meta({ type: "object", description: DESCRIPTION }),
  );

/** Validates a filter and compiles it, once, at config load; the source stays in `.json`. */
export const compiledFilterSchema = z.pipe(
  z.unknown(),
  z.transform((value, ctx): CompiledFilter => {
    const result = compileFilter(value);
    if (result.ok) return result.filter;
    // zod/mini's transform gets the parse payload (no addIssue): its issues take the input along.
    report(result.problems, (issue) => ctx.issues.push({ ...issue, input: value }));
    return z.NEVER;
  }),
);
