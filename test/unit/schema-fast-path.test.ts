// The schema fast path (src/core/schema-fast-path.ts) agrees with the full validator on random JSON
// for every schema it accepts, and declines (null) the schemas whose keywords it does not cover.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate, type Schema } from "@cfworker/json-schema";
import { fastPath } from "../../src/core/schema-fast-path";
import { orderSchema } from "../../bench/lib/fixtures";
import example from "../../config/examples/versioned-orders.json";

const SCHEMAS: Record<string, unknown> = {
  bench: orderSchema(),
  v1: example.schemas["order.created.v1"],
  v2: example.schemas["order.created.v2"],
  formats: { type: "array", prefixItems: [{ format: "email" }, { format: "date-time" }, { format: "uuid" }], items: { format: "no-such-format" } },
  combinators: {
    $defs: { tree: { type: "object", properties: { v: { type: ["integer", "null"] }, kids: { type: "array", items: { $ref: "#/$defs/tree" }, maxItems: 3 } } } },
    anyOf: [{ type: "string", minLength: 2, maxLength: 4 }, { $ref: "#/$defs/tree" }, { type: "array", prefixItems: [{ const: 1 }, { enum: [true, "x", null] }], items: false }],
    not: { type: "object", required: ["forbidden"] },
    oneOf: [{ type: "number", exclusiveMinimum: 0 }, { type: "number", exclusiveMaximum: 10 }, { not: { type: "number" } }],
    allOf: [true, { minProperties: 0, maxProperties: 3 }],
  },
  unicode: { type: "object", additionalProperties: { type: "string", maxLength: 2, pattern: "^\\p{L}*$" } },
};

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom("type", "id", "amount", "currency", "customer_email", "v", "kids", "forbidden", "items", "field_00", "field_01"), fc.jsonValue({ maxDepth: 3 })),
  fc.constantFrom(
    1,
    [1, true],
    [1, "x", 2],
    "ab",
    "abcde",
    5,
    0,
    10,
    -1,
    { v: 1, kids: [{ v: null }, { v: 2.5 }] },
    { a: "é" },
    { a: "😀" },
    ["ana@example.com", "2026-11-30T18:00:00Z", "not a date"],
    ["x@y", "2026-11-30", "0f8fad5b-d9cb-469f-a165-70867728950e"],
  ),
);

describe("the schema fast path", () => {
  it.each(Object.keys(SCHEMAS))("agrees with the full validator on random values (%s)", (name) => {
    const schema = SCHEMAS[name] as Schema;
    const fast = fastPath(schema);
    expect(fast).not.toBeNull();
    fc.assert(
      fc.property(value, (v) => {
        expect(fast?.(v)).toBe(validate(v, structuredClone(schema), "2020-12", undefined, false).valid);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    [{ unevaluatedProperties: false }],
    [{ if: { type: "string" }, then: { minLength: 1 } }],
    [{ patternProperties: { "^x": true }, additionalProperties: false }],
    [{ uniqueItems: true }],
    [{ properties: { a: { $ref: "https://example.com/a.json" } } }],
    [{ properties: { a: { $id: "https://example.com/a", type: "string" } } }],
  ])("declines %j (the full validator checks it)", (schema) => {
    expect(fastPath(schema)).toBeNull();
  });
});
