// The README's configuration table is checked against the zod schema: every field the schema
// accepts must be documented there.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { configSchema } from "../../src/config/schema";

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
}

function fieldNames(schema: z.ZodType, prefix = ""): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodRecord) return fieldNames(inner.valueType as z.ZodType, prefix);
  if (inner instanceof z.ZodArray) return fieldNames(inner.element as z.ZodType, prefix);
  if (!(inner instanceof z.ZodObject)) return [];
  const names: string[] = [];
  for (const [key, value] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
    const children = fieldNames(value, `${prefix}${key}.`);
    // An object-valued field is documented through its leaves.
    names.push(...(children.length > 0 && unwrap(value) instanceof z.ZodObject ? children : [prefix + key, ...children]));
  }
  return names;
}

describe("README configuration table", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Ingress"));
  const top = fieldNames(configSchema).filter((n) => !["sources", "endpoints", "routing_rules"].includes(n));

  it.each(top)("documents %s", (name) => {
    const parts = name.includes(".") ? name.split(".").slice(1) : [name];
    const candidates = parts.map((_, i) => parts.slice(i).join("."));
    const documented = candidates.some((c) => table.includes(`\`${c}\``) || table.includes(`\`.${c}\``));
    expect(documented, `README's configuration table does not mention ${name}`).toBe(true);
  });
});
