// The shape of an event schema in GATEWAY_CONFIG `schemas` (JSON Schema draft 2020-12): each known
// keyword's type, checked at load so a broken schema is a config error with its JSON path.
// Unknown keywords (title, description, x-*) are annotations and pass; compiling is config/event-schemas.ts.
import * as z from "zod";

export type JsonSchemaDocument = boolean | { [keyword: string]: unknown };

export const DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";
const TYPES = ["null", "boolean", "object", "array", "number", "integer", "string"] as const;

const count = () => z.number({ error: "must be a non-negative integer" }).int({ error: "must be a non-negative integer" }).min(0, { error: "must be a non-negative integer" });
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
export const boundedJsonSchemaDocument = z
  .custom<unknown>((value) => !nestedDeeperThan(value, MAX_SCHEMA_DEPTH), { error: `must nest at most ${MAX_SCHEMA_DEPTH} levels` })
  .pipe(z.lazy(() => jsonSchemaDocument));

/** A subschema: true, false or a keyword object. Not a zod union, so issues keep their full path. */
export const jsonSchemaDocument: z.ZodType<JsonSchemaDocument> = z.custom<JsonSchemaDocument>().superRefine((value, ctx) => {
  if (typeof value === "boolean") return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    ctx.addIssue({ code: "custom", message: "must be a JSON Schema (an object, true or false)" });
    return;
  }
  const parsed = keywords.safeParse(value);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
});

const subschema = z.lazy(() => jsonSchemaDocument);
const schemaMap = () => z.record(z.string(), subschema, { error: "must be an object of schemas" });
const schemaList = () => z.array(subschema, { error: "must be a list of schemas" }).min(1, { error: "must list at least one schema" });
const typeName = z.enum(TYPES, { error: `must be one of ${TYPES.join(", ")}` });

const keywords = z.looseObject({
  $schema: z.literal(DRAFT_2020_12, { error: `must be ${DRAFT_2020_12} (the gateway validates draft 2020-12)` }).optional(),
  $id: z.string({ error: "must be a URI" }).optional(),
  $ref: z.string({ error: "must be a URI reference" }).optional(),
  $anchor: z.string({ error: "must be an anchor name" }).optional(),
  $dynamicRef: z.never({ error: "is not supported by the gateway's validator: use $ref" }).optional(),
  $dynamicAnchor: z.never({ error: "is not supported by the gateway's validator: use $anchor" }).optional(),
  $defs: schemaMap().optional(),
  definitions: schemaMap().optional(),
  type: z.union([typeName, z.array(typeName).min(1)], { error: `must be a type name (${TYPES.join(", ")}) or a list of them` }).optional(),
  enum: z.array(z.unknown(), { error: "must be a list" }).optional(),
  required: z.array(z.string(), { error: "must be a list of property names" }).optional(),
  dependentRequired: z.record(z.string(), z.array(z.string()), { error: "must map property names to lists of property names" }).optional(),
  properties: schemaMap().optional(),
  patternProperties: schemaMap().optional(),
  dependentSchemas: schemaMap().optional(),
  additionalProperties: subschema.optional(),
  unevaluatedProperties: subschema.optional(),
  propertyNames: subschema.optional(),
  items: z
    .custom<unknown>((v) => !Array.isArray(v), { error: "must be a schema (a list of item schemas is prefixItems in draft 2020-12)" })
    .pipe(subschema)
    .optional(),
  prefixItems: schemaList().optional(),
  unevaluatedItems: subschema.optional(),
  contains: subschema.optional(),
  allOf: schemaList().optional(),
  anyOf: schemaList().optional(),
  oneOf: schemaList().optional(),
  not: subschema.optional(),
  if: subschema.optional(),
  then: subschema.optional(),
  else: subschema.optional(),
  minimum: finite().optional(),
  maximum: finite().optional(),
  exclusiveMinimum: finite().optional(),
  exclusiveMaximum: finite().optional(),
  multipleOf: finite().positive({ error: "must be a number above 0" }).optional(),
  minLength: count().optional(),
  maxLength: count().optional(),
  minItems: count().optional(),
  maxItems: count().optional(),
  minProperties: count().optional(),
  maxProperties: count().optional(),
  minContains: count().optional(),
  maxContains: count().optional(),
  uniqueItems: z.boolean({ error: "must be true or false" }).optional(),
  pattern: z.string({ error: "must be a regular expression" }).optional(),
  format: z.string({ error: "must be a format name" }).optional(),
});
