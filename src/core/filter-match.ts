// Evaluates a compiled content filter (filter.ts) against one event. Never throws: a value that
// cannot be read counts as absent, and an absent value matches only $exists:false, $neq and $nin.
import type { CompiledFilter, FieldPath, FieldTest, FilterNode, PathSegment } from "./filter-types";

/** What a filter can see of one event. */
export interface FilterSubject {
  readonly eventType: string | undefined;
  readonly source: string | undefined;
  /** A request header by lower-case name; null or undefined when absent (`Headers.get` fits). */
  header(name: string): string | null | undefined;
  /**
   * The JSON body, undefined when the body is not JSON: pass the request's lazy, memoised parser
   * (the one the event-type lookup uses). Called at most once per evaluation, and only when a
   * condition on a body path is reached.
   */
  json(): unknown;
}

const ABSENT: unique symbol = Symbol("absent");

interface Evaluation {
  subject: FilterSubject;
  body: unknown;
  bodyRead: boolean;
}

/** Whether the event passes the filter. */
export function matches(filter: CompiledFilter, subject: FilterSubject): boolean {
  return node(filter.root, { subject, body: ABSENT, bodyRead: false });
}

function node(n: FilterNode, e: Evaluation): boolean {
  switch (n.kind) {
    case "and":
      for (const child of n.nodes) if (!node(child, e)) return false;
      return true;
    case "or":
      for (const child of n.nodes) if (node(child, e)) return true;
      return false;
    case "not":
      return !node(n.node, e);
    case "field": {
      const value = read(n.path, e);
      try {
        return all(n.tests, value);
      } catch {
        return all(n.tests, ABSENT);
      }
    }
  }
}

function all(tests: readonly FieldTest[], value: unknown): boolean {
  for (const t of tests) if (!test(t, value)) return false;
  return true;
}

function read(path: FieldPath, e: Evaluation): unknown {
  try {
    switch (path.kind) {
      case "event_type":
        return typeof e.subject.eventType === "string" ? e.subject.eventType : ABSENT;
      case "source":
        return typeof e.subject.source === "string" ? e.subject.source : ABSENT;
      case "header": {
        const value = e.subject.header(path.name);
        return typeof value === "string" ? value : ABSENT;
      }
      case "body":
        return walk(body(e), path.segments);
    }
  } catch {
    return ABSENT;
  }
}

function body(e: Evaluation): unknown {
  if (!e.bodyRead) {
    e.bodyRead = true;
    try {
      const value = e.subject.json();
      e.body = value === undefined ? ABSENT : value;
    } catch {
      e.body = ABSENT;
    }
  }
  return e.body;
}

/** Follows own properties and array indexes only: nothing inherited (`__proto__`, `constructor`, `length`). */
function walk(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null) return ABSENT;
    if (Array.isArray(current)) {
      if (segment.index < 0 || segment.index >= current.length) return ABSENT;
      current = current[segment.index] as unknown;
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, segment.key)) return ABSENT;
      current = (current as Record<string, unknown>)[segment.key];
    }
  }
  return current === undefined ? ABSENT : current;
}

function test(t: FieldTest, value: unknown): boolean {
  if (value === ABSENT) return t.op === "$neq" || t.op === "$nin" || (t.op === "$exists" && !t.arg);
  switch (t.op) {
    case "$eq":
      return jsonEqual(value, t.arg);
    case "$neq":
      return !jsonEqual(value, t.arg);
    case "$in":
      return t.args.some((arg) => jsonEqual(value, arg));
    case "$nin":
      return !t.args.some((arg) => jsonEqual(value, arg));
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return compare(t.op, value, t.arg);
    case "$exists":
      return t.arg;
    case "$startsWith":
      return typeof value === "string" && value.startsWith(t.arg);
    case "$endsWith":
      return typeof value === "string" && value.endsWith(t.arg);
    case "$contains":
      if (typeof value === "string") return typeof t.arg === "string" && value.includes(t.arg);
      return Array.isArray(value) && value.some((item: unknown) => jsonEqual(item, t.arg));
  }
}

/** Two numbers as numbers, two strings by UTF-16 code units; any other pair is false. */
function compare(op: FieldTest["op"], value: unknown, arg: number | string): boolean {
  let a: number | string;
  if (typeof value === "number" && typeof arg === "number") a = value;
  else if (typeof value === "string" && typeof arg === "string") a = value;
  else return false;
  switch (op) {
    case "$gt":
      return a > arg;
    case "$gte":
      return a >= arg;
    case "$lt":
      return a < arg;
    default:
      return a <= arg;
  }
}

/** JSON equality of a body value and a filter literal: same type and value, objects by own keys, arrays in order. */
export function jsonEqual(value: unknown, literal: unknown): boolean {
  if (typeof literal !== "object" || literal === null) return value === literal;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(literal)) {
    if (!Array.isArray(value) || value.length !== literal.length) return false;
    for (let i = 0; i < literal.length; i++) if (!jsonEqual(value[i], literal[i])) return false;
    return true;
  }
  if (Array.isArray(value)) return false;
  const keys = Object.keys(literal);
  if (Object.keys(value).length !== keys.length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    if (!jsonEqual((value as Record<string, unknown>)[key], (literal as Record<string, unknown>)[key])) return false;
  }
  return true;
}
