// Event schemas (docs/contract.md §9): every error shape the 422 carries (type, required, enum,
// pattern, nested arrays), the 10-error cap, and broken schemas refused as config errors with paths.
import { describe, expect, it } from "vitest";
import { compileEventSchema, MAX_SCHEMA_ERRORS, type CompiledSchema, type SchemaVerdict } from "../../src/core/event-schema";
import { parseConfig } from "../../src/config/load";

const ORDER = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["id", "status", "items"],
  properties: {
    id: { type: "string", pattern: "^ord_[0-9]+$" },
    status: { enum: ["new", "paid", "shipped"] },
    total: { type: "integer", minimum: 0 },
    items: { type: "array", minItems: 1, items: { $ref: "#/$defs/line" } },
    tags: { type: "array", items: { type: "array", items: { type: "string" } } },
  },
  $defs: {
    line: { type: "object", required: ["sku"], properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 } }, additionalProperties: false },
  },
};

function compiled(schema: unknown): CompiledSchema {
  const result = compileEventSchema(schema);
  if (!result.ok) throw new Error(`expected the schema to compile: ${JSON.stringify(result.problems)}`);
  return result.schema;
}

function errorsOf(verdict: SchemaVerdict) {
  if (verdict.valid) throw new Error("expected a violation");
  return verdict.errors;
}

const valid = { id: "ord_1", status: "new", items: [{ sku: "a", qty: 2 }] };

describe("checking an event against its schema", () => {
  const order = compiled(ORDER);

  it("accepts a matching event", () => {
    expect(order.check(valid)).toEqual({ valid: true });
    expect(order.check({ ...valid, tags: [["a"], []] })).toEqual({ valid: true });
  });

  it("reports a wrong type at the value's JSON pointer", () => {
    expect(errorsOf(order.check({ ...valid, total: "12" }))).toEqual([{ path: "/total", message: expect.stringMatching(/type "string".*"integer"/) }]);
  });

  it("reports a missing required property at its parent, naming it", () => {
    const { status: _status, ...rest } = valid;
    expect(errorsOf(order.check(rest))).toEqual([{ path: "", message: expect.stringContaining('"status"') }]);
  });

  it("reports a value outside an enum", () => {
    expect(errorsOf(order.check({ ...valid, status: "lost" }))).toEqual([{ path: "/status", message: expect.stringContaining('["new","paid","shipped"]') }]);
  });

  it("reports a string that fails a pattern", () => {
    expect(errorsOf(order.check({ ...valid, id: "x1" }))).toEqual([{ path: "/id", message: "String does not match pattern." }]);
  });

  it("points into nested arrays, through a $ref, and names an additional property", () => {
    const errors = errorsOf(order.check({ ...valid, items: [{ sku: "a" }, { sku: 7, qty: 0, colour: "red" }], tags: [["a", 3]] }));
    expect(errors).toEqual([
      { path: "/items/1/sku", message: expect.stringMatching(/type "number"/) },
      { path: "/items/1/qty", message: expect.stringContaining("less than 1") },
      { path: "/items/1/colour", message: expect.stringContaining('"colour"') },
      { path: "/tags/0/1", message: expect.stringMatching(/type "number"/) },
    ]);
  });

  it("escapes JSON pointer segments (RFC 6901)", () => {
    const s = compiled({ type: "object", additionalProperties: { type: "string" } });
    expect(errorsOf(s.check({ "a/b~c d": 1 }))).toEqual([{ path: "/a~1b~0c d", message: expect.any(String) }]);
  });

  it("reports every leaf, not the wrappers around it", () => {
    const s = compiled({ anyOf: [{ type: "string" }, { type: "integer" }] });
    const errors = errorsOf(s.check(1.5));
    expect(errors.map((e) => e.message).join(" ")).not.toContain("subschema had errors");
    expect(errors.length).toBeGreaterThan(0);
  });

  it("caps the errors at 10, in document order", () => {
    const s = compiled({ type: "array", items: { type: "integer" } });
    const errors = errorsOf(s.check(Array.from({ length: 25 }, (_, i) => `v${i}`)));
    expect(MAX_SCHEMA_ERRORS).toBe(10);
    expect(errors).toHaveLength(10);
    expect(errors.map((e) => e.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/${i}`));
  });

  it("refuses a body that is not JSON", () => {
    expect(errorsOf(order.check(undefined))).toEqual([{ path: "", message: "The body is not JSON." }]);
  });

  it("describes the first error for logs by keyword and schema location only", () => {
    const verdict = order.check({ ...valid, items: [{ sku: "a", qty: 0 }] });
    expect(verdict).toMatchObject({ valid: false, first: { keyword: "minimum", schemaPath: "#/properties/items/items/$ref/properties/qty/minimum" } });
  });

  it("survives a body nested deeper than the stack under a recursive schema", () => {
    const s = compiled({ $defs: { node: { type: "array", items: { $ref: "#/$defs/node" } } }, $ref: "#/$defs/node" });
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const verdict = s.check(deep);
    // Either answer is fine; what matters is that it answers instead of throwing.
    expect(typeof verdict.valid).toBe("boolean");
  });

  it("never evaluates code: compiling and checking work with eval and Function unavailable", () => {
    const saved = { eval: globalThis.eval, Function: globalThis.Function };
    const refuse = () => {
      throw new Error("code generation is not allowed");
    };
    try {
      globalThis.eval = refuse as typeof eval;
      globalThis.Function = refuse as unknown as FunctionConstructor;
      expect(compiled(ORDER).check({ ...valid, total: -1 }).valid).toBe(false);
    } finally {
      globalThis.eval = saved.eval;
      globalThis.Function = saved.Function;
    }
  });
});

describe("broken schemas are config errors with their JSON path", () => {
  const config = (schemas: Record<string, unknown>, schema = Object.keys(schemas)[0]) => ({
    sources: { acme: { verify: { scheme: "none", secrets: [] } } },
    endpoints: { orders: { url: "https://orders.example.com/hooks" } },
    schemas,
    routing_rules: [{ event_type: "order.created", mode: "async", endpoint: "orders", schema }],
  });
  const problems = (raw: unknown): string[] => {
    const result = parseConfig(raw);
    if (result.ok) throw new Error("expected the config to be refused");
    return result.problems;
  };

  it("loads a valid schema and keeps it compiled on the config", () => {
    const result = parseConfig(config({ order: ORDER }));
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(result.config.schemas.get("order")?.check(valid)).toEqual({ valid: true });
    expect(result.config.rules[0]?.schema).toBe("order");
  });

  it.each([
    [{ type: "strin" }, "schemas.s.type: must be a type name"],
    [{ properties: { a: { minLength: -1 } } }, "schemas.s.properties.a.minLength: must be a non-negative integer"],
    [{ items: [{ type: "string" }] }, "schemas.s.items: must be a schema (a list of item schemas is prefixItems"],
    [{ required: "id" }, "schemas.s.required: must be a list of property names"],
    [{ allOf: [] }, "schemas.s.allOf: must list at least one schema"],
    [{ $schema: "http://json-schema.org/draft-07/schema#" }, "schemas.s.$schema: must be https://json-schema.org/draft/2020-12/schema"],
    [{ $dynamicRef: "#meta" }, "schemas.s.$dynamicRef: is not supported"],
    [42, "schemas.s: must be a JSON Schema (an object, true or false)"],
    [{ properties: { id: { pattern: "([a-z" } } }, "schemas.s.properties.id.pattern: is not a valid regular expression"],
    [{ patternProperties: { "(": true } }, "schemas.s.patternProperties.(: is not a valid regular expression"],
    [{ properties: { a: { $ref: "#/$defs/missing" } } }, 'schemas.s.properties.a.$ref: cannot be resolved offline: "#/$defs/missing"'],
    [{ $ref: "https://schemas.example.com/order.json" }, 'schemas.s.$ref: cannot be resolved offline: "https://schemas.example.com/order.json"'],
  ])("refuses %j", (schema, expected) => {
    expect(problems(config({ s: schema })).join("\n")).toContain(expected);
  });

  it("refuses a schema nested deeper than 64 levels before recursing into it", () => {
    const text = JSON.stringify(config({ s: { type: "string" } })).replace('"s":{"type":"string"}', `"s":${'{"not":'.repeat(100_000)}{"type":"string"}${"}".repeat(100_000)}`);
    expect(problems(text)).toEqual(["schemas.s: must nest at most 64 levels"]);
  });

  it("resolves a $ref to another configured schema by its $id, offline", () => {
    const result = parseConfig(
      config({
        order: { type: "object", properties: { money: { $ref: "https://hookgate.dev/schemas/money" } } },
        money: { $id: "https://hookgate.dev/schemas/money", type: "integer" },
      }),
    );
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(result.config.schemas.get("order")?.check({ money: "1" }).valid).toBe(false);
    expect(result.config.schemas.get("order")?.check({ money: 1 }).valid).toBe(true);
  });

  it("refuses a rule naming a schema that does not exist", () => {
    expect(problems(config({ order: ORDER }, "invoice"))).toContain('routing_rules[0].schema: no schema named "invoice"');
  });
});
