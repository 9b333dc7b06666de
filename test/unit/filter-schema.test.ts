// The zod piece for content filters (src/config/filter-schema.ts): every problem of compileFilter
// as an issue at its full JSON path inside a config, the filter kept as written or compiled once.
import * as z from "../../src/core/zod";
import { describe, expect, it } from "vitest";
import { compiledFilterSchema, filterSchema } from "../../src/config/filter-schema";
import { formatPath } from "../../src/config/load";
import { matches } from "../../src/core/filter";
import { subject } from "./filter-fixtures";

const config = (filter: z.ZodMiniType) => z.object({ routing_rules: z.array(z.object({ event_type: z.string(), filter: z.optional(filter) })) });

function issues(schema: z.ZodMiniType, document: unknown): string[] {
  const parsed = schema.safeParse(document);
  if (parsed.success) throw new Error("expected the document to be refused");
  return parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

const document = (filters: unknown[]) => ({ routing_rules: filters.map((filter) => ({ event_type: "a", filter })) });

describe.each([
  ["filterSchema", filterSchema],
  ["compiledFilterSchema", compiledFilterSchema],
])("%s", (_name, schema) => {
  it("reports each problem at its path from the config root", () => {
    const doc = document([{ "body.a": 1 }, { event_type: "b" }, { $or: [{ "body.x": 1 }, { "body.amount": { $gt: true } }], "headers.": 1 }, "not a filter"]);
    expect(issues(config(schema), doc)).toEqual([
      "routing_rules[2].filter.$or[1].body.amount: $gt needs a number or string",
      "routing_rules[2].filter.headers.: headers.<name> needs an HTTP header name",
      "routing_rules[3].filter: must be a filter object",
    ]);
  });

  it("accepts a rule without a filter", () => {
    expect(config(schema).safeParse({ routing_rules: [{ event_type: "a" }] }).success).toBe(true);
  });

  it("sees a __proto__ key in the document instead of losing it", () => {
    const doc: unknown = JSON.parse('{"routing_rules": [{"event_type": "a", "filter": {"__proto__": {"x": 1}, "body.a": 1}}]}');
    expect(issues(config(schema), doc)).toEqual(["routing_rules[0].filter.__proto__: is not a field path; use body.<dot.path>, headers.<name>, event_type or source"]);
  });
});

describe("the parsed value", () => {
  const written = { "body.amount": { $gte: 100 }, $not: { "headers.x-test": "1" } };

  it("filterSchema keeps the filter as written", () => {
    expect(filterSchema.parse(written)).toEqual(written);
  });

  it("compiledFilterSchema gives a compiled filter that evaluates, with its source", () => {
    const filter = compiledFilterSchema.parse(written);
    expect(filter.json).toEqual(written);
    expect(matches(filter, subject({ body: { amount: 150 } }))).toBe(true);
    expect(matches(filter, subject({ body: { amount: 150 }, headers: { "x-test": "1" } }))).toBe(false);
    expect(matches(filter, subject({ body: { amount: 50 } }))).toBe(false);
  });

  it("filterSchema describes itself as an object in JSON Schema", () => {
    expect(z.toJSONSchema(filterSchema, { unrepresentable: "any" })).toMatchObject({ type: "object" });
  });
});
