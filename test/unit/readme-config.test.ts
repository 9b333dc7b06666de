// The README's configuration table is checked against the zod schema: every field the schema
// accepts must be documented there.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "../../src/core/zod";
import { configSchema } from "../../src/config/schema";

function unwrap(schema: z.ZodMiniType): z.ZodMiniType {
  let current: z.ZodMiniType = schema;
  for (;;) {
    if (current instanceof z.ZodMiniDefault || current instanceof z.ZodMiniOptional) current = current.def.innerType as z.ZodMiniType;
    else if (current instanceof z.ZodMiniPipe) current = current.def.in as z.ZodMiniType;
    else return current;
  }
}

function fieldNames(schema: z.ZodMiniType, prefix = ""): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodMiniRecord) return fieldNames(inner.def.valueType as z.ZodMiniType, prefix);
  if (inner instanceof z.ZodMiniArray) return fieldNames(inner.def.element as z.ZodMiniType, prefix);
  if (!(inner instanceof z.ZodMiniObject)) return [];
  const names: string[] = [];
  for (const [key, value] of Object.entries(inner.shape as Record<string, z.ZodMiniType>)) {
    const children = fieldNames(value, `${prefix}${key}.`);
    // An object-valued field is documented through its leaves.
    names.push(...(children.length > 0 && unwrap(value) instanceof z.ZodMiniObject ? children : [prefix + key, ...children]));
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
