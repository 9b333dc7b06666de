// Shared helpers for the content-filter tests: compile-or-fail, and an event subject that counts
// how often the filter asked for the parsed body.
import { compileFilter, matches, type CompiledFilter, type FilterSubject } from "../../src/core/filter";

export function compiled(json: unknown): CompiledFilter {
  const result = compileFilter(json);
  if (!result.ok) throw new Error(`expected the filter to compile, got: ${JSON.stringify(result.problems)}`);
  return result.filter;
}

export interface EventParts {
  /** The parsed body; `undefined` stands for a body that is not JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  eventType?: string;
  source?: string;
}

export interface CountingSubject extends FilterSubject {
  jsonCalls: number;
}

export function subject(parts: EventParts = {}): CountingSubject {
  const headers = new Headers(parts.headers ?? {});
  const s: CountingSubject = {
    eventType: parts.eventType,
    source: parts.source,
    header: (name) => headers.get(name),
    json: () => {
      s.jsonCalls++;
      return parts.body;
    },
    jsonCalls: 0,
  };
  return s;
}

/** Compiles `json` and evaluates it against one event. */
export function check(json: unknown, parts: EventParts = {}): boolean {
  return matches(compiled(json), subject(parts));
}
