// The shape of an event schema in GATEWAY_CONFIG `schemas` (JSON Schema draft 2020-12): each known
// keyword's type, checked at load so a broken schema is a config error with its JSON path.
// Unknown keywords (title, description, x-*) are annotations and pass; compiling is config/event-schemas.ts.
import * as z from "../core/zod";

export type JsonSchemaDocument = boolean | { [keyword: string]: unknown };

export const DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";
const TYPES = ["null", "boolean", "object", "array", "number", "integer", "string"] as const;

const count = () =>
  z.number({ error: "must be a non-negative integer" }).check(z.int({ error: "must be a non-negative integer" }), z.gte(0, { error: "must be a non-negative integer" }));
const finite = () => z.number({ error: "must be a number" });

/** How deep a configured schema may nest (objects and lists), checked before anything recurses into it. */
export const MAX_SCHEMA_DEPTH = 64;

function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A whole configured schema: bounded depth first (a hostile document cannot exhaust the stack), then its keywords. */
export const boundedJsonSchemaDocument = z.pipe(
  z.custom<unknown>((value) => !nestedDeeperThan(value, MAX_SCHEMA_DEPTH), { error: `must nest at most ${MAX_SCHEMA_DEPTH} levels` }),
  z.lazy(() => jsonSchemaDocument),
);

/** A subschema: true, false or a keyword object. Not a zod union, so issues keep their full path. */
export const jsonSchemaDocument: z.ZodMiniType<JsonSchemaDocument> = z.custom<JsonSchemaDocument>().check(
  z.superRefine((value, ctx) => {
    if (typeof value === "boolean") return;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: "must be a JSON Schema (an object, true or false)" });
      return;
    }
    const parsed = keywords.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  }),
);

const subschema = z.lazy(() => jsonSchemaDocument);
const schemaMap = () => z.record(z.string(), subschema, { error: "must be an object of schemas" });
const schemaList = () => z.array(subschema, { error: "must be a list of schemas" }).check(z.minLength(1, { error: "must list at least one schema" }));
const typeName = z.enum(TYPES, { error: `must be one of ${TYPES.join(", ")}` });

const keywords = z.looseObject({
  $schema: z.optional(z.literal(DRAFT_2020_12, { error: `must be ${DRAFT_2020_12} (the gateway validates draft 2020-12)` })),
  $id: z.optional(z.string({ error: "must be a URI" })),
  $ref: z.optional(z.string({ error: "must be a URI reference" })),
  $anchor: z.optional(z.string({ error: "must be an anchor name" })),
  $dynamicRef: z.optional(z.never({ error: "is not supported by the gateway's validator: use $ref" })),
  $dynamicAnchor: z.optional(z.never({ error: "is not supported by the gateway's validator: use $anchor" })),
  $defs: z.optional(schemaMap()),
  definitions: z.optional(schemaMap()),
  type: z.optional(z.union([typeName, z.array(typeName).check(z.minLength(1))], { error: `must be a type name (${TYPES.join(", ")}) or a list of them` })),
  enum: z.optional(z.array(z.unknown(), { error: "must be a list" })),
  required: z.optional(z.array(z.string(), { error: "must be a list of property names" })),
  dependentRequired: z.optional(z.record(z.string(), z.array(z.string()), { error: "must map property names to lists of property names" })),
  properties: z.optional(schemaMap()),
  patternProperties: z.optional(schemaMap()),
  dependentSchemas: z.optional(schemaMap()),
  additionalProperties: z.optional(subschema),
  unevaluatedProperties: z.optional(subschema),
  propertyNames: z.optional(subschema),
  items: z.optional(
    z.pipe(
      z.custom<unknown>((v) => !Array.isArray(v), { error: "must be a schema (a list of item schemas is prefixItems in draft 2020-12)" }),
      subschema,
    ),
  ),
  prefixItems: z.optional(schemaList()),
  unevaluatedItems: z.optional(subschema),
  contains: z.optional(subschema),
  allOf: z.optional(schemaList()),
  anyOf: z.optional(schemaList()),
  oneOf: z.optional(schemaList()),
  not: z.optional(subschema),
  if: z.optional(subschema),
  then: z.optional(subschema),
  else: z.optional(subschema),
  minimum: z.optional(finite()),
  maximum: z.optional(finite()),
  exclusiveMinimum: z.optional(finite()),
  exclusiveMaximum: z.optional(finite()),
  multipleOf: z.optional(finite().check(z.positive({ error: "must be a number above 0" }))),
  minLength: z.optional(count()),
  maxLength: z.optional(count()),
  minItems: z.optional(count()),
  maxItems: z.optional(count()),
  minProperties: z.optional(count()),
  maxProperties: z.optional(count()),
  minContains: z.optional(count()),
  maxContains: z.optional(count()),
  uniqueItems: z.optional(z.boolean({ error: "must be true or false" })),
  pattern: z.optional(z.string({ error: "must be a regular expression" })),
  format: z.optional(z.string({ error: "must be a format name" })),
});
