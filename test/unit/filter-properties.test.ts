// Properties of the content filter (src/core/filter.ts) over random filters and events: $not is the
// exact complement, $in is an $or of $eq, absent values agree with $not, nothing ever throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilter, matches, type FilterSubject } from "../../src/core/filter";
import { subject, type EventParts } from "./filter-fixtures";

const KEYS = ["a", "b", "n", "items", "0", "1", "__proto__", "constructor", "length"] as const;
const PATHS = [
  "body.a",
  "body.b",
  "body.n",
  "body.a.b",
  "body.items.0",
  "body.items.1.a",
  "body.items.length",
  "body.0",
  "body.__proto__",
  "body.constructor",
  "body.a.__proto__.a",
  "headers.x-a",
  "headers.X-B",
  "event_type",
  "source",
] as const;

const scalar = fc.oneof(
  fc.constantFrom(0, 1, -1, 1.5, 100, "", "a", "ab", "b", "1", "2026-01-01", true, false, null),
  fc.integer({ min: -5, max: 5 }),
  fc.string({ maxLength: 4 }),
);

/** JSON values whose keys often hit the filter paths (own `__proto__` keys included, as JSON.parse makes them), at most 4 levels deep so every filter built from them stays within the 8-level limit. */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 4 },
    scalar,
    fc.array(tie("json"), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("json")), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
}));

const operatorEntry: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constantFrom("$eq", "$neq", "$contains"), json),
  fc.tuple(fc.constantFrom("$in", "$nin"), fc.array(json, { minLength: 1, maxLength: 4 })),
  fc.tuple(fc.constantFrom("$gt", "$gte", "$lt", "$lte"), fc.oneof(fc.integer({ min: -5, max: 200 }), fc.string({ maxLength: 3 }))),
  fc.tuple(fc.constant("$exists"), fc.boolean()),
  fc.tuple(fc.constantFrom("$startsWith", "$endsWith"), fc.string({ maxLength: 2 })),
);

const condition = fc.oneof(
  scalar,
  json,
  fc.array(operatorEntry, { minLength: 1, maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
);

/** Random filter documents; the few that break a rule (a `$` key in a literal, too deep) are dropped by `valid`. */
const { filter } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => ({
  filter: fc
    .array(
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.tuple(fc.constantFrom(...PATHS), condition),
        fc.tuple(fc.constantFrom("$and", "$or"), fc.array(tie("filter"), { minLength: 1, maxLength: 3 })),
        fc.tuple(fc.constant("$not"), tie("filter")),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((entries) => Object.fromEntries(entries)),
}));

const valid = filter.filter((f) => compileFilter(f).ok);

const event: fc.Arbitrary<EventParts> = fc.record(
  {
    body: fc.oneof(json, fc.constant(undefined)),
    headers: fc.dictionary(
      fc.constantFrom("x-a", "x-b", "x-c"),
      fc.oneof(
        fc.constantFrom("a", "1", ""),
        fc.string({ maxLength: 3 }).map((s) => s.trim()),
      ),
    ),
    eventType: fc.option(fc.constantFrom("invoice.paid", "a", "b"), { nil: undefined }),
    source: fc.option(fc.constantFrom("stripe", "a"), { nil: undefined }),
  },
  { requiredKeys: [] },
);

function evaluate(json: unknown, s: FilterSubject): boolean {
  const result = compileFilter(json);
  if (!result.ok) throw new Error(`did not compile: ${JSON.stringify(result.problems)}`);
  return matches(result.filter, s);
}

const runs = { numRuns: 500 };

describe("filter properties", () => {
  it("a filter and its $not: exactly one matches", () => {
    fc.assert(
      fc.property(valid, event, (f, e) => {
        fc.pre(compileFilter({ $not: f }).ok);
        return evaluate(f, subject(e)) !== evaluate({ $not: f }, subject(e));
      }),
      runs,
    );
  });

  it("$in: [a, b, c] is an $or of $eq, and $nin its $not", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.array(json, { minLength: 1, maxLength: 5 }), event, (path, list, e) => {
        const asIn = evaluate({ [path]: { $in: list } }, subject(e));
        const asOr = evaluate({ $or: list.map((v) => ({ [path]: { $eq: v } })) }, subject(e));
        const asNin = evaluate({ [path]: { $nin: list } }, subject(e));
        return asIn === asOr && asNin === !asIn;
      }),
      runs,
    );
  });

  it("{ p: { $neq: x } } agrees with { $not: { p: x } }, present or absent", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), scalar, event, (path, x, e) => {
        return evaluate({ [path]: { $neq: x } }, subject(e)) === evaluate({ $not: { [path]: { $eq: x } } }, subject(e));
      }),
      runs,
    );
  });

  it("$exists: false is the $not of $exists: true", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), event, (path, e) => {
        return evaluate({ [path]: { $exists: false } }, subject(e)) === !evaluate({ [path]: { $exists: true } }, subject(e));
      }),
      runs,
    );
  });

  it("asks for the body at most once, and never when no condition reads it", () => {
    fc.assert(
      fc.property(valid, event, (f, e) => {
        const result = compileFilter(f);
        if (!result.ok) return false;
        const s = subject(e);
        matches(result.filter, s);
        return s.jsonCalls <= 1 && (result.filter.usesBody || s.jsonCalls === 0);
      }),
      runs,
    );
  });

  it("never throws: compiling anything, evaluating on any body, header and parser", () => {
    const hostile = fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      key: fc.constantFrom(...KEYS),
    });
    fc.assert(
      fc.property(hostile, (input) => {
        compileFilter(input);
      }),
      runs,
    );
    fc.assert(
      fc.property(valid, hostile, fc.string(), fc.boolean(), (f, body, header, parserThrows) => {
        const result = compileFilter(f);
        if (!result.ok) return;
        const s: FilterSubject = {
          eventType: header,
          source: undefined,
          header: () => header,
          json: () => {
            if (parserThrows) throw new SyntaxError("not JSON");
            return body;
          },
        };
        expect(typeof matches(result.filter, s)).toBe("boolean");
      }),
      runs,
    );
  });
});
