// Compiles the config's `schemas` once per config load (so once per isolate: config/load.ts memoises),
// keeping each validator next to its document. A schema that does not compile is a config problem
// with its JSON path, `schemas.<name>.<path>: ...`, like every other config error.
import { compileEventSchema, type CompiledSchema } from "../core/event-schema";
import type { JsonSchemaDocument } from "./json-schema";

export interface EventSchema extends CompiledSchema {
  name: string;
  document: JsonSchemaDocument;
}

export function compileSchemas(
  schemas: Readonly<Record<string, JsonSchemaDocument>>,
  formatPath: (path: readonly PropertyKey[]) => string,
): { schemas: Map<string, EventSchema>; problems: string[] } {
  const compiled = new Map<string, EventSchema>();
  const problems: string[] = [];
  const documents = Object.values(schemas);
  for (const [name, document] of Object.entries(schemas)) {
    const result = compileEventSchema(
      document,
      documents.filter((d) => d !== document),
    );
    if (result.ok) compiled.set(name, { name, document, check: result.schema.check });
    else for (const p of result.problems) problems.push(`${formatPath(["schemas", name, ...p.path])}: ${p.message}`);
  }
  return { schemas: compiled, problems };
}
