// Turns the raw GATEWAY_CONFIG binding (object or JSON string) into a checked, typed Config,
// once per isolate per distinct value. Problems carry the JSON path of each offending field.
import type * as z from "zod";
import { configSchema, type EndpointConfig, type ParsedConfig, type RuleConfig, type SourceConfig } from "./schema";
import { checkEndpointUrl } from "../core/url-guard";
import { routeName } from "../core/routing";
import { retryPolicy, type RetryPolicy } from "../core/retry";
import type { BreakerConfig } from "../core/breaker";
import { schemeOf } from "../core/signatures/registry";

export interface Rule extends RuleConfig {
  index: number;
  name: string;
  /** Effective sync timeout: rule, else endpoint, else 1500 ms. */
  effectiveTimeoutMs: number;
  policy: RetryPolicy;
}

export interface Source extends SourceConfig {
  name: string;
  eventTypeHeader: string;
  eventTypeField: string;
}

export interface Endpoint extends EndpointConfig {
  name: string;
  /** `circuit_breaker` in the state machine's terms (core/breaker). */
  breaker: BreakerConfig;
}

export interface Config {
  raw: ParsedConfig;
  maxBodyBytes: number;
  allowPrivateNetworks: boolean;
  dedupWindowS: number;
  dlqRetentionHours: number;
  dlqAlertThreshold: number | undefined;
  sources: ReadonlyMap<string, Source>;
  endpoints: ReadonlyMap<string, Endpoint>;
  rules: readonly Rule[];
}

export type LoadResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export const DEFAULT_SYNC_TIMEOUT_MS = 1500;

/** `routing_rules[1].timeout_ms` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    let message = issue.message;
    if (issue.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    if (issue.code === "invalid_type" && message.startsWith("Invalid input: expected")) message = `is required (${message})`;
    return `${formatPath(issue.path)}: ${message}`;
  });
}

/**
 * Where JSON.parse gave up, as ` (at position N)`, or "". Never the engine's message: V8 quotes the
 * text around the error, which may be a secret pasted into the document (and problems are logged).
 */
function jsonErrorPosition(error: unknown): string {
  const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
  return position === undefined ? "" : ` (at position ${position})`;
}

/** Parses and checks a document; pure apart from the schema. */
export function parseConfig(raw: unknown): LoadResult {
  let document: unknown = raw;
  if (raw === undefined || raw === null || raw === "") {
    return { ok: false, problems: ["(root): GATEWAY_CONFIG is not set"] };
  }
  if (typeof raw === "string") {
    try {
      document = JSON.parse(raw);
    } catch (error) {
      return { ok: false, problems: [`(root): not valid JSON${jsonErrorPosition(error)}`] };
    }
  }
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
  const cfg = parsed.data;
  const problems: string[] = [];

  for (const [name, endpoint] of Object.entries(cfg.endpoints)) {
    const verdict = checkEndpointUrl(endpoint.url, { allowPrivateNetworks: cfg.allow_private_networks });
    if (!verdict.ok) problems.push(`endpoints.${name}.url: ${verdict.reason}`);
  }
  const seen = new Map<string, number>();
  cfg.routing_rules.forEach((rule, i) => {
    const where = `routing_rules[${i}]`;
    if (!(rule.endpoint in cfg.endpoints)) problems.push(`${where}.endpoint: no endpoint named "${rule.endpoint}"`);
    if (rule.source !== undefined && !(rule.source in cfg.sources)) problems.push(`${where}.source: no source named "${rule.source}"`);
    const key = routeName(rule);
    const previous = seen.get(key);
    if (previous !== undefined) problems.push(`${where}.event_type: duplicates routing_rules[${previous}] (${key})`);
    else seen.set(key, i);
    if (rule.mode === "sync") {
      if (rule.ordering_key !== undefined) problems.push(`${where}.ordering_key: ordering applies to async routes only`);
      if (rule.max_backlog !== undefined && rule.fallback === "none") {
        problems.push(`${where}.max_backlog: applies to async routes or sync routes with fallback async_dlq`);
      }
    } else if (rule.fallback !== "none") {
      problems.push(`${where}.fallback: applies to sync routes only`);
    }
    if (rule.max_attempts !== undefined && rule.max_attempts > 1 && rule.retry_matrix.length === 0) {
      problems.push(`${where}.retry_matrix: must have at least one step when max_attempts > 1`);
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: build(cfg) };
}

function build(cfg: ParsedConfig): Config {
  const sources = new Map<string, Source>();
  for (const [name, s] of Object.entries(cfg.sources)) {
    sources.set(name, {
      ...s,
      name,
      eventTypeHeader: s.event_type_header ?? schemeOf(s.verify.scheme).eventTypeHeader ?? "X-Event-Type",
      eventTypeField: s.event_type_field ?? schemeOf(s.verify.scheme).eventTypeField ?? "type",
    });
  }
  const endpoints = new Map<string, Endpoint>();
  for (const [name, e] of Object.entries(cfg.endpoints)) endpoints.set(name, { ...e, name, breaker: breakerConfig(e) });
  const rules = cfg.routing_rules.map((rule, index): Rule => {
    const endpoint = cfg.endpoints[rule.endpoint];
    return {
      ...rule,
      index,
      name: routeName(rule),
      effectiveTimeoutMs: rule.timeout_ms ?? endpoint?.timeout_ms ?? DEFAULT_SYNC_TIMEOUT_MS,
      policy: retryPolicy(rule.retry_matrix, rule.max_attempts),
    };
  });
  return {
    raw: cfg,
    maxBodyBytes: cfg.max_body_bytes,
    allowPrivateNetworks: cfg.allow_private_networks,
    dedupWindowS: cfg.dedup_window_s,
    dlqRetentionHours: cfg.dlq_retention_hours,
    dlqAlertThreshold: cfg.dlq_alert_threshold,
    sources,
    endpoints,
    rules,
  };
}

function breakerConfig(endpoint: EndpointConfig): BreakerConfig {
  const cb = endpoint.circuit_breaker;
  const cfg: BreakerConfig = { failureThreshold: cb.failure_threshold, recoveryTimeoutMs: cb.recovery_timeout_ms, halfOpenMaxProbes: cb.half_open_max_probes };
  if (cb.failure_rate !== undefined) cfg.failureRate = { threshold: cb.failure_rate.threshold, minCalls: cb.failure_rate.min_calls, window: cb.failure_rate.window };
  return cfg;
}

let lastString: string | undefined;
let lastStringResult: LoadResult | undefined;
const objectCache = new WeakMap<object, LoadResult>();

/** Memoised per isolate: the same binding value is parsed once. */
export function loadConfig(raw: unknown): LoadResult {
  if (typeof raw === "string") {
    if (raw === lastString && lastStringResult !== undefined) return lastStringResult;
    const result = parseConfig(raw);
    lastString = raw;
    lastStringResult = result;
    return result;
  }
  if (raw !== null && typeof raw === "object") {
    const cached = objectCache.get(raw);
    if (cached !== undefined) return cached;
    const result = parseConfig(raw);
    objectCache.set(raw, result);
    return result;
  }
  return parseConfig(raw);
}
