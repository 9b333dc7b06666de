// Routing decisions: where an event type comes from, and which rule wins (exact > longest
// prefix.* > *, source-specific before generic, then first in the list).

export interface RulePattern {
  event_type: string;
  source?: string | undefined;
}

/** Higher is more specific. Exact beats any prefix; a longer prefix beats a shorter one; `*` is last. */
export function specificity(pattern: string): number {
  if (pattern === "*") return 0;
  if (pattern.endsWith(".*")) return 1 + pattern.length;
  return 1_000_000;
}

export function patternMatches(pattern: string, eventType: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return eventType.startsWith(pattern.slice(0, -1)) && eventType.length > pattern.length - 1;
  return pattern === eventType;
}

/**
 * Index of the winning rule, or -1 (docs/contract.md §5). Among the rules whose pattern and source
 * match, the most specific wins: exact type, then the longest prefix, then `*`; a rule with `source`
 * beats one without; then a rule with a filter beats one without; then the first listed. A rule whose
 * filter does not match (`filterMatches` false) is skipped, so a less specific rule can still take it.
 * Filters are evaluated lazily, most specific rule first, and only until one matches.
 */
export function matchRule<R extends RulePattern & { filter?: unknown }>(
  rules: readonly R[],
  source: string,
  eventType: string,
  filterMatches: (rule: R) => boolean = () => true,
): number {
  const candidates: { index: number; score: number }[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule === undefined) continue;
    if (rule.source !== undefined && rule.source !== source) continue;
    if (!patternMatches(rule.event_type, eventType)) continue;
    candidates.push({ index: i, score: specificity(rule.event_type) * 4 + (rule.source !== undefined ? 2 : 0) + (hasFilter(rule) ? 1 : 0) });
  }
  candidates.sort((a, b) => b.score - a.score || a.index - b.index);
  for (const c of candidates) {
    const rule = rules[c.index];
    if (rule !== undefined && (!hasFilter(rule) || filterMatches(rule))) return c.index;
  }
  return -1;
}

function hasFilter(rule: { filter?: unknown }): boolean {
  return rule.filter !== undefined && rule.filter !== null;
}

/** The stable name of a rule, used as `route` in dead letters, stats and logs. */
export function routeName(rule: RulePattern): string {
  return rule.source === undefined ? rule.event_type : `${rule.source}:${rule.event_type}`;
}

const EVENT_TYPE = /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/;
export const MAX_EVENT_TYPE_LENGTH = 200;

export function isValidEventType(value: string): boolean {
  return value.length > 0 && value.length <= MAX_EVENT_TYPE_LENGTH && EVENT_TYPE.test(value);
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,3})$/;

/** Reads a dot path (`data.user.id`) from parsed JSON; only strings and finite numbers count as values. */
export function readDotPath(json: unknown, path: string): string | undefined {
  let current: unknown = json;
  for (const segment of path.split(".")) {
    // A decimal segment indexes an array (`notificationItems.0.eventCode`); arrays have no other fields.
    if (Array.isArray(current)) {
      current = ARRAY_INDEX.test(segment) ? (current as unknown[])[Number(segment)] : undefined;
      continue;
    }
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  if (typeof current === "string") return current;
  if (typeof current === "number" && Number.isFinite(current)) return String(current);
  return undefined;
}

export interface EventTypeSources {
  fromPath: string | undefined;
  fromHeader: string | undefined;
  /** Lazily parsed JSON body; returns undefined when the body is not JSON. */
  json: () => unknown;
  field: string | undefined;
}

/** Path first, then the source's header, then the JSON field. Returns undefined when none yields a valid type. */
export function resolveEventType(s: EventTypeSources): string | undefined {
  if (s.fromPath !== undefined) return isValidEventType(s.fromPath) ? s.fromPath : undefined;
  const header = s.fromHeader?.trim();
  if (header !== undefined && header !== "") return isValidEventType(header) ? header : undefined;
  if (s.field === undefined) return undefined;
  const value = readDotPath(s.json(), s.field);
  return value !== undefined && isValidEventType(value) ? value : undefined;
}
