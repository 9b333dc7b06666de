// A fast "is it valid?" for the common JSON Schema keywords, compiled once into closures (no eval):
// regular expressions built once, no error locations built for valid events. It only ever answers
// "valid" when the full validator would; anything else goes to the full validator, which also
// writes the errors. A schema using a keyword outside the subset gets no fast path at all.
import { deepCompareStrict, format, ucs2length } from "@cfworker/json-schema";

type Check = (value: unknown) => boolean;

/** Keywords that only annotate: no effect on validity. */
const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"]);

class Unsupported extends Error {}

/** The fast check of a whole schema document, or null when it uses keywords outside the subset. */
export function fastPath(document: unknown): Check | null {
  const compiled = new Map<unknown, Check>();
  const resolve = (ref: string): unknown => {
    if (ref === "#") return document;
    if (!ref.startsWith("#/")) throw new Unsupported();
    let node: unknown = document;
    for (const raw of ref.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) throw new Unsupported();
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  const build = (schema: unknown, root: boolean): Check => {
    const known = compiled.get(schema);
    if (known !== undefined) return known;
    const slot: { check?: Check } = {};
    compiled.set(schema, (v) => slot.check?.(v) ?? false); // a $ref cycle reaches this, filled in below
    const check = compile(schema, root, (s) => build(s, false), resolve);
    slot.check = check;
    compiled.set(schema, check);
    return check;
  };
  try {
    return build(document, true);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

function compile(schema: unknown, root: boolean, sub: (s: unknown) => Check, resolve: (ref: string) => unknown): Check {
  if (schema === true) return () => true;
  if (schema === false) return () => false;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) throw new Unsupported();
  const s = schema as Record<string, unknown>;
  if (!root && s["$id"] !== undefined) throw new Unsupported();
  const checks: Check[] = [];
  for (const [keyword, arg] of Object.entries(s)) if (!ANNOTATIONS.has(keyword)) checks.push(keywordCheck(keyword, arg, s, sub, resolve));
  return (v) => {
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const num = (arg: unknown): number => {
  if (typeof arg !== "number") throw new Unsupported();
  return arg;
};
const onType =
  (is: (v: unknown) => boolean, check: Check): Check =>
  (v) =>
    !is(v) || check(v);
const isNumber = (v: unknown): v is number => typeof v === "number";
const isString = (v: unknown): v is string => typeof v === "string";

function typeCheck(name: unknown): Check {
  switch (name) {
    case "null":
      return (v) => v === null;
    case "boolean":
      return (v) => typeof v === "boolean";
    case "object":
      return isObject;
    case "array":
      return Array.isArray;
    case "number":
      return isNumber;
    case "integer":
      return (v) => typeof v === "number" && Number.isInteger(v);
    case "string":
      return isString;
    default:
      throw new Unsupported();
  }
}

function keywordCheck(keyword: string, arg: unknown, s: Record<string, unknown>, sub: (s: unknown) => Check, resolve: (ref: string) => unknown): Check {
  switch (keyword) {
    case "$ref": {
      if (typeof arg !== "string") throw new Unsupported();
      return sub(resolve(arg));
    }
    case "type": {
      const list = (Array.isArray(arg) ? arg : [arg]).map(typeCheck);
      return (v) => list.some((t) => t(v));
    }
    case "enum": {
      if (!Array.isArray(arg)) throw new Unsupported();
      return (v) => arg.some((option) => deepCompareStrict(v, option));
    }
    case "const":
      return (v) => deepCompareStrict(v, arg);
    case "minimum": {
      const n = num(arg);
      return onType(isNumber, (v) => (v as number) >= n);
    }
    case "maximum": {
      const n = num(arg);
      return onType(isNumber, (v) => (v as number) <= n);
    }
    case "exclusiveMinimum": {
      const n = num(arg);
      return onType(isNumber, (v) => (v as number) > n);
    }
    case "exclusiveMaximum": {
      const n = num(arg);
      return onType(isNumber, (v) => (v as number) < n);
    }
    case "minLength": {
      const n = num(arg);
      return onType(isString, (v) => ucs2length(v as string) >= n);
    }
    case "maxLength": {
      const n = num(arg);
      return onType(isString, (v) => ucs2length(v as string) <= n);
    }
    case "pattern": {
      if (typeof arg !== "string") throw new Unsupported();
      const re = new RegExp(arg, "u");
      return onType(isString, (v) => re.test(v as string));
    }
    case "format": {
      // The full validator's own format checks; an unknown format is an annotation there too.
      const test = typeof arg === "string" ? format[arg] : undefined;
      if (test === undefined) return () => true;
      return onType(isString, (v) => test(v as string));
    }
    case "minItems": {
      const n = num(arg);
      return onType(Array.isArray, (v) => (v as unknown[]).length >= n);
    }
    case "maxItems": {
      const n = num(arg);
      return onType(Array.isArray, (v) => (v as unknown[]).length <= n);
    }
    case "minProperties": {
      const n = num(arg);
      return onType(isObject, (v) => Object.keys(v as object).length >= n);
    }
    case "maxProperties": {
      const n = num(arg);
      return onType(isObject, (v) => Object.keys(v as object).length <= n);
    }
    case "required": {
      if (!Array.isArray(arg)) throw new Unsupported();
      const names = arg.map(String);
      return onType(isObject, (v) => names.every((n) => Object.prototype.hasOwnProperty.call(v, n)));
    }
    case "properties": {
      if (!isObject(arg)) throw new Unsupported();
      const entries = Object.entries(arg).map(([name, schema]) => [name, sub(schema)] as const);
      return onType(isObject, (v) => {
        const o = v as Record<string, unknown>;
        for (const [name, check] of entries) if (Object.prototype.hasOwnProperty.call(o, name) && !check(o[name])) return false;
        return true;
      });
    }
    case "additionalProperties": {
      if (s["patternProperties"] !== undefined) throw new Unsupported();
      const check = sub(arg);
      const declared = isObject(s["properties"]) ? new Set(Object.keys(s["properties"])) : new Set<string>();
      return onType(isObject, (v) => {
        for (const key in v as Record<string, unknown>) if (!declared.has(key) && !check((v as Record<string, unknown>)[key])) return false;
        return true;
      });
    }
    case "items": {
      const check = sub(arg);
      const from = Array.isArray(s["prefixItems"]) ? s["prefixItems"].length : 0;
      return onType(Array.isArray, (v) => (v as unknown[]).every((item, i) => i < from || check(item)));
    }
    case "prefixItems": {
      if (!Array.isArray(arg)) throw new Unsupported();
      const checks = arg.map(sub);
      return onType(Array.isArray, (v) => checks.every((check, i) => i >= (v as unknown[]).length || check((v as unknown[])[i])));
    }
    case "allOf":
    case "anyOf":
    case "oneOf": {
      if (!Array.isArray(arg)) throw new Unsupported();
      const checks = arg.map(sub);
      if (keyword === "allOf") return (v) => checks.every((c) => c(v));
      if (keyword === "anyOf") return (v) => checks.some((c) => c(v));
      return (v) => checks.filter((c) => c(v)).length === 1;
    }
    case "not": {
      const check = sub(arg);
      return (v) => !check(v);
    }
    default:
      // unevaluated*, if/then/else, contains, dependent*, uniqueItems, multipleOf, anchors…
      throw new Unsupported();
  }
}
