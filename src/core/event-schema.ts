// Event schemas, pure: compiles a JSON Schema (draft 2020-12) with @cfworker/json-schema, an
// interpreter (no eval, no new Function: Workers forbids both), and checks a parsed body against it,
// reporting at most MAX_SCHEMA_ERRORS leaf errors, each with its JSON pointer (docs/contract.md §9).
import { dereference, validate, type OutputUnit, type Schema } from "@cfworker/json-schema";
import { fastPath } from "./schema-fast-path";

export const MAX_SCHEMA_ERRORS = 10;

export interface SchemaError {
  /** JSON pointer (RFC 6901) of the offending value in the body; "" is the whole body. */
  path: string;
  message: string;
}

/**
 * The first error as logs may carry it: its keyword and its location in the schema (from the config,
 * never from the body, unlike the error's path and message).
 */
export interface FirstError {
  keyword: string;
  schemaPath: string;
}

export type SchemaVerdict = { valid: true } | { valid: false; errors: SchemaError[]; first: FirstError };

export interface CompiledSchema {
  check(body: unknown): SchemaVerdict;
}

/** A compile problem: where in the schema document (path segments) and what. */
export interface CompileProblem {
  path: (string | number)[];
  message: string;
}

export type CompileResult = { ok: true; schema: CompiledSchema } | { ok: false; problems: CompileProblem[] };

/** Keywords whose values are data, not subschemas: never walked for $ref or patterns. */
const DATA_KEYWORDS = new Set(["enum", "const", "required", "dependentRequired", "type", "default", "examples"]);

type Node = { [keyword: string]: unknown; __absolute_ref__?: string };

/**
 * Compiles one schema. `siblings` are the config's other schemas: those with an `$id` can be
 * reached by `$ref`; nothing is fetched. A `$ref` that resolves nowhere, or a `pattern` that is not
 * a valid regular expression, is a problem here rather than an error on the first event.
 */
export function compileEventSchema(document: unknown, siblings: readonly unknown[] = []): CompileResult {
  const root = structuredClone(document) as Schema | boolean;
  let lookup: Record<string, Schema | boolean>;
  try {
    lookup = dereference(root);
    for (const sibling of siblings) {
      if (isNode(sibling) && typeof sibling["$id"] === "string") dereference(structuredClone(sibling) as Schema, lookup);
    }
  } catch (error) {
    return { ok: false, problems: [{ path: [], message: `does not compile: ${error instanceof Error ? error.message.split("\n")[0] : "unknown error"}` }] };
  }
  const problems: CompileProblem[] = [];
  walk(root, [], (node, path) => {
    const ref = node["$ref"];
    if (typeof ref === "string" && lookup[node.__absolute_ref__ ?? ref] === undefined) {
      problems.push({ path: [...path, "$ref"], message: `cannot be resolved offline: "${ref.slice(0, 200)}" (only #/pointers, #anchors and $ids of the config's schemas)` });
    }
    if (typeof node["pattern"] === "string" && !isRegExp(node["pattern"])) problems.push({ path: [...path, "pattern"], message: "is not a valid regular expression" });
    const patterns = node["patternProperties"];
    if (isNode(patterns)) {
      for (const key of Object.keys(patterns)) if (!isRegExp(key)) problems.push({ path: [...path, "patternProperties", key], message: "is not a valid regular expression" });
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  const fast = fastPath(root);
  return { ok: true, schema: { check: (body) => check(root, lookup, fast, body) } };
}

/**
 * The fast path (schema-fast-path.ts) answers most valid events; the full validator decides every
 * other case and writes the errors.
 */
function check(root: Schema | boolean, lookup: Record<string, Schema | boolean>, fast: ((body: unknown) => boolean) | null, body: unknown): SchemaVerdict {
  if (body === undefined) return { valid: false, errors: [{ path: "", message: "The body is not JSON." }], first: { keyword: "json", schemaPath: "#" } };
  let units: OutputUnit[];
  try {
    if (fast?.(body) === true) return { valid: true };
    const result = validate(body, root, "2020-12", lookup, false);
    if (result.valid) return { valid: true };
    units = result.errors;
  } catch {
    // A body nested deeper than the stack allows under a recursive schema.
    return { valid: false, errors: [{ path: "", message: "The event could not be checked against the schema." }], first: { keyword: "error", schemaPath: "#" } };
  }
  const found = leafErrors(units);
  const leaves = found.length > 0 ? found : units.slice(0, 1).map((unit) => ({ unit, location: unit.instanceLocation }));
  const head = leaves[0]?.unit;
  return {
    valid: false,
    errors: leaves.map(({ unit, location }) => ({ path: pointer(location), message: unit.error })),
    first: { keyword: head?.keyword ?? "unknown", schemaPath: head?.keywordLocation.slice(0, 200) ?? "#" },
  };
}

/**
 * The validator reports a wrapper error for every subschema that failed (properties, items, $ref,
 * allOf…) just before the errors inside it; only the innermost ones say what is wrong. A `false`
 * subschema's own error ("False boolean schema") is dropped: its parent names the property, and
 * the property's location is taken from it. Linear in the number of units, and stops at `limit`
 * (a 2 MiB body can fail a schema 100 000 times).
 */
export function leafErrors(units: readonly OutputUnit[], limit = MAX_SCHEMA_ERRORS): { unit: OutputUnit; location: string }[] {
  const out: { unit: OutputUnit; location: string }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < units.length && out.length < limit; i++) {
    const unit = units[i];
    if (unit === undefined || (unit.keyword === "false" && i > 0)) continue;
    const next = units[i + 1];
    if (next?.keywordLocation.startsWith(`${unit.keywordLocation}/`) === true) continue;
    const location = next?.keyword === "false" ? next.instanceLocation : unit.instanceLocation;
    const id = `${location}\u0000${unit.error}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ unit, location });
  }
  return out;
}

/** `#/items/0/sku` (URI-encoded by the validator) to the JSON pointer `/items/0/sku`. */
function pointer(location: string): string {
  const raw = location.startsWith("#") ? location.slice(1) : location;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function walk(value: unknown, path: (string | number)[], visit: (node: Node, path: (string | number)[]) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, i], visit));
    return;
  }
  if (!isNode(value)) return;
  visit(value, path);
  for (const [key, child] of Object.entries(value)) {
    if (!DATA_KEYWORDS.has(key)) walk(child, [...path, key], visit);
  }
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}
