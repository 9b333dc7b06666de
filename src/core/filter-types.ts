// The filter language's types (docs/contract.md §5): a filter as written, and the tree compileFilter
// (filter.ts) builds and matches (filter-match.ts) evaluates.

/** A filter as written in the config: field paths and combinators as keys. */
export type FilterJson = { readonly [key: string]: unknown };

export const MAX_FILTER_BYTES = 4096;
/** Nested objects of a filter, the filter itself included (a combinator or operator object is one level). */
export const MAX_FILTER_DEPTH = 8;

/** One dot-separated part of a body path; `index` is its array index, or -1 when it is not one. */
export interface PathSegment {
  key: string;
  index: number;
}

export type FieldPath = { kind: "body"; segments: readonly PathSegment[] } | { kind: "header"; name: string } | { kind: "event_type" } | { kind: "source" };

export type Comparison = "$gt" | "$gte" | "$lt" | "$lte";

/** One operator applied to a field's value; literal arguments are JSON values. */
export type FieldTest =
  | { op: "$eq" | "$neq" | "$contains"; arg: unknown }
  | { op: "$in" | "$nin"; args: readonly unknown[] }
  | { op: Comparison; arg: number | string }
  | { op: "$exists"; arg: boolean }
  | { op: "$startsWith" | "$endsWith"; arg: string };

export type FilterNode =
  | { kind: "and"; nodes: readonly FilterNode[] }
  | { kind: "or"; nodes: readonly FilterNode[] }
  | { kind: "not"; node: FilterNode }
  | { kind: "field"; path: FieldPath; tests: readonly FieldTest[] };

export interface CompiledFilter {
  readonly root: FilterNode;
  /** False when no condition reads the body: evaluation then never parses it. */
  readonly usesBody: boolean;
  /** The filter as written. */
  readonly json: FilterJson;
}

/** A mistake in a filter; `path` is relative to the filter, in zod's form (`["$or", 1, "body.amount"]`). */
export interface FilterProblem {
  path: readonly (string | number)[];
  message: string;
}

export type CompileResult = { ok: true; filter: CompiledFilter } | { ok: false; problems: FilterProblem[] };
