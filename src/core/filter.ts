// Content filters (docs/contract.md §5): checks a filter document and compiles it into a tree, naming the
// JSON path of every mistake. Evaluation against one event lives in filter-match.ts.

import { MAX_FILTER_BYTES, MAX_FILTER_DEPTH, type CompileResult, type FieldPath, type FieldTest, type FilterNode, type FilterProblem } from "./filter-types";

export { matches, type FilterSubject } from "./filter-match";
export * from "./filter-types";

type Where = readonly (string | number)[];

const OPERATORS = new Set(["$eq", "$neq", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists", "$startsWith", "$endsWith", "$contains"]);
const COMBINATORS = new Set(["$and", "$or", "$not"]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,8})$/;
const PATH_HINT = "use body.<dot.path>, headers.<name>, event_type or source";

/** Checks a filter document (operators, arguments, paths, size, depth) and compiles it. Never throws. */
export function compileFilter(input: unknown): CompileResult {
  const problems: FilterProblem[] = [];
  if (!isPlainObject(input)) return { ok: false, problems: [{ path: [], message: "must be a filter object" }] };
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch {
    return { ok: false, problems: [{ path: [], message: "must be JSON" }] };
  }
  const bytes = utf8Length(text);
  if (bytes > MAX_FILTER_BYTES) {
    return { ok: false, problems: [{ path: [], message: `is ${bytes} bytes as JSON; at most ${MAX_FILTER_BYTES}` }] };
  }
  const root = filterObject(input, [], 1, problems);
  if (root === undefined || problems.length > 0) return { ok: false, problems };
  return { ok: true, filter: { root, usesBody: readsBody(root), json: input } };
}

function filterObject(value: unknown, where: Where, depth: number, out: FilterProblem[]): FilterNode | undefined {
  if (!isPlainObject(value)) return problem(out, where, "must be a filter object");
  if (depth > MAX_FILTER_DEPTH) return problem(out, where, `nests deeper than ${MAX_FILTER_DEPTH} levels`);
  const keys = Object.keys(value);
  if (keys.length === 0) return problem(out, where, "must have at least one condition");
  const nodes: FilterNode[] = [];
  for (const key of keys) {
    const at = [...where, key];
    const argument = value[key];
    let node: FilterNode | undefined;
    if (key === "$and" || key === "$or") node = combination(key, argument, at, depth, out);
    else if (key === "$not") {
      const inner = filterObject(argument, at, depth + 1, out);
      node = inner === undefined ? undefined : { kind: "not", node: inner };
    } else if (key.startsWith("$")) {
      const hint = OPERATORS.has(key) ? `; write { "<path>": { "${key}": ... } }` : "";
      problem(out, at, `${key} is not a combinator (a filter's keys are field paths, $and, $or, $not)${hint}`);
    } else node = field(key, argument, at, depth, out);
    if (node !== undefined) nodes.push(node);
  }
  return nodes.length === 1 ? nodes[0] : { kind: "and", nodes: cheapFirst(nodes) };
}

function combination(op: "$and" | "$or", value: unknown, at: Where, depth: number, out: FilterProblem[]): FilterNode | undefined {
  if (!Array.isArray(value) || value.length === 0) return problem(out, at, `${op} needs a non-empty list of filters`);
  const nodes: FilterNode[] = [];
  value.forEach((item: unknown, i) => {
    const node = filterObject(item, [...at, i], depth + 1, out);
    if (node !== undefined) nodes.push(node);
  });
  return { kind: op === "$and" ? "and" : "or", nodes: cheapFirst(nodes) };
}

function field(key: string, value: unknown, at: Where, depth: number, out: FilterProblem[]): FilterNode | undefined {
  const path = fieldPath(key);
  if (typeof path === "string") problem(out, at, path);
  let tests: FieldTest[] | undefined;
  if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"))) {
    tests = operators(value, at, depth + 1, out);
  } else if (literal(value, at, depth, undefined, out)) {
    tests = [{ op: "$eq", arg: value }];
  }
  if (typeof path === "string" || tests === undefined) return undefined;
  return { kind: "field", path, tests };
}

function operators(value: { [key: string]: unknown }, at: Where, depth: number, out: FilterProblem[]): FieldTest[] | undefined {
  if (depth > MAX_FILTER_DEPTH) return problem(out, at, `nests deeper than ${MAX_FILTER_DEPTH} levels`);
  const keys = Object.keys(value);
  const fields = keys.filter((k) => !k.startsWith("$"));
  if (fields.length > 0) {
    return problem(out, at, `mixes operators with fields (${fields.join(", ")}); to match an object literally write { "$eq": { ... } }`);
  }
  const tests: FieldTest[] = [];
  for (const op of keys) {
    const test = operator(op, value[op], at, depth, out);
    if (test !== undefined) tests.push(test);
  }
  return tests.length === keys.length ? tests : undefined;
}

function operator(op: string, arg: unknown, at: Where, depth: number, out: FilterProblem[]): FieldTest | undefined {
  switch (op) {
    case "$eq":
    case "$neq":
    case "$contains":
      return literal(arg, at, depth, op, out) ? { op, arg } : undefined;
    case "$in":
    case "$nin": {
      if (!Array.isArray(arg) || arg.length === 0) return problem(out, at, `${op} needs a non-empty list`);
      const args: unknown[] = arg;
      return args.every((item) => literal(item, at, depth, op, out)) ? { op, args } : undefined;
    }
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      if ((typeof arg === "number" && Number.isFinite(arg)) || typeof arg === "string") return { op, arg };
      return problem(out, at, `${op} needs a number or string`);
    case "$exists":
      return typeof arg === "boolean" ? { op, arg } : problem(out, at, `${op} needs true or false`);
    case "$startsWith":
    case "$endsWith":
      return typeof arg === "string" ? { op, arg } : problem(out, at, `${op} needs a string`);
    default:
      if (COMBINATORS.has(op)) return problem(out, at, `${op} combines filters: write it beside field paths, not among a field's operators`);
      return problem(out, at, `unknown operator ${op}`);
  }
}

/** True when `value` is a JSON value whose objects stay within the depth limit (arrays add no level). */
function literal(value: unknown, at: Where, depth: number, op: string | undefined, out: FilterProblem[]): boolean {
  const fault = literalFault(value, depth);
  if (fault === undefined) return true;
  if (fault === "depth") problem(out, at, `nests deeper than ${MAX_FILTER_DEPTH} levels`);
  else problem(out, at, `${op === undefined ? "must be" : `${op} needs`} a JSON value (${fault})`);
  return false;
}

function literalFault(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : "a number that is not finite";
    case "object": {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) {
          const fault = literalFault(item, depth);
          if (fault !== undefined) return fault;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return "an object that is not plain JSON";
      if (depth + 1 > MAX_FILTER_DEPTH) return "depth";
      for (const key of Object.keys(value)) {
        const fault = literalFault(value[key], depth + 1);
        if (fault !== undefined) return fault;
      }
      return undefined;
    }
    default:
      return value === undefined ? "undefined" : `a ${typeof value}`;
  }
}

/** A compiled path, or the reason the key is not one. */
function fieldPath(key: string): FieldPath | string {
  if (key === "event_type") return { kind: "event_type" };
  if (key === "source") return { kind: "source" };
  if (key.startsWith("headers.")) {
    const name = key.slice("headers.".length);
    return HEADER_NAME.test(name) ? { kind: "header", name: name.toLowerCase() } : "headers.<name> needs an HTTP header name";
  }
  if (key.startsWith("body.")) {
    const parts = key.slice("body.".length).split(".");
    if (parts.some((p) => p === "")) return "a body path needs a name between every two dots (body.data.items.0.sku)";
    return { kind: "body", segments: parts.map((p) => ({ key: p, index: ARRAY_INDEX.test(p) ? Number(p) : -1 })) };
  }
  return `is not a field path; ${PATH_HINT}`;
}

function readsBody(node: FilterNode): boolean {
  switch (node.kind) {
    case "and":
    case "or":
      return node.nodes.some(readsBody);
    case "not":
      return readsBody(node.node);
    case "field":
      return node.path.kind === "body";
  }
}

/** Conditions on headers, event type and source first, so a body is parsed only when they pass. */
function cheapFirst(nodes: FilterNode[]): FilterNode[] {
  return [...nodes.filter((n) => !readsBody(n)), ...nodes.filter(readsBody)];
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function problem(out: FilterProblem[], path: Where, message: string): undefined {
  out.push({ path, message });
  return undefined;
}
