// Turns the raw GATEWAY_CONFIG binding (object or JSON string) into a checked, typed Config,
// once per isolate per distinct value. Problems carry the JSON path of each offending field.
import type * as z from "../core/zod";
import { configSchema, type EndpointConfig, type ParsedConfig, type RuleConfig, type SourceConfig } from "./schema";
import { checkEndpointUrl } from "../core/url-guard";
import { routeName } from "../core/routing";
import { compileFilter, type CompiledFilter } from "../core/filter";
import { DEFAULT_RETRY_MATRIX, policyFromBackoff, retryPolicy, type RetryPolicy } from "../core/retry";
import type { BreakerConfig } from "../core/breaker";
import { schemeOf } from "../core/signatures/registry";
import type { MaintenanceWindow } from "../core/maintenance";
import { compileSchemas, type EventSchema } from "./event-schemas";
import { loadDedupSharding, loadQueueShards, scaleProblems } from "./scale";
import type { DedupSharding } from "../core/dedup-shards";

/** One endpoint a rule delivers to, with the filter that decides whether it gets a copy. */
export interface Destination {
  endpoint: string;
  filter: CompiledFilter | null;
}

export interface Rule extends Omit<RuleConfig, "endpoint" | "destinations" | "filter" | "name" | "retry_matrix"> {
  /** The effective steps: the rule's retry_matrix, the default one, or retry_policy's steps written out. */
  retry_matrix: readonly number[];
  index: number;
  name: string;
  /** The first destination's endpoint: a sync rule's primary (v1's one `endpoint`). */
  endpoint: string;
  /** 1-20 destinations, in config order (`endpoint: x` is `destinations: [{ endpoint: x }]`). */
  destinations: readonly Destination[];
  /** The rule's own filter: the rule takes an event only when it matches (docs/contract.md §5). */
  filter: CompiledFilter | null;
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
  /** Alerts within this many seconds are grouped into one notification per tier (§8). */
  alertGroupWindowS: number;
  /** Share of delivery data points written to Analytics Engine (adapters/metrics.ts). */
  metricsSampleRate: number;
  /** Share of successful per-attempt lines (`delivery_attempt` delivered, `sync_call` answered) logged; failures always are. */
  successLogSampleRate: number;
  maintenanceWindows: readonly MaintenanceWindow[];
  sources: ReadonlyMap<string, Source>;
  endpoints: ReadonlyMap<string, Endpoint>;
  rules: readonly Rule[];
  /** `schemas`, compiled at load (docs/contract.md §9); a rule's `schema` names one. */
  schemas: ReadonlyMap<string, EventSchema>;
  /** Producer bindings a rule's `queue` spreads over, by base binding (absent: 1, the base itself). */
  queueShards: ReadonlyMap<string, number>;
  /** The dedup store's shard count and any re-shard in progress. */
  dedup: DedupSharding;
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
    if (endpoint.reconcile_url !== undefined) {
      const reconcile = checkEndpointUrl(endpoint.reconcile_url, { allowPrivateNetworks: cfg.allow_private_networks });
      if (!reconcile.ok) problems.push(`endpoints.${name}.reconcile_url: ${reconcile.reason}`);
    }
  }
  cfg.maintenance_windows.forEach((w, i) => {
    if (w.endpoints === "*") return;
    for (const [j, e] of w.endpoints.entries()) if (!(e in cfg.endpoints)) problems.push(`maintenance_windows[${i}].endpoints[${j}]: no endpoint named "${e}"`);
  });
  const compiled = compileSchemas(cfg.schemas, formatPath);
  problems.push(...compiled.problems);
  const seen = new Map<string, number>();
  cfg.routing_rules.forEach((rule, i) => {
    const where = `routing_rules[${i}]`;
    if (rule.endpoint !== undefined && !(rule.endpoint in cfg.endpoints)) problems.push(`${where}.endpoint: no endpoint named "${rule.endpoint}"`);
    rule.destinations?.forEach((d, j) => {
      if (!(d.endpoint in cfg.endpoints)) problems.push(`${where}.destinations[${j}].endpoint: no endpoint named "${d.endpoint}"`);
    });
    if (rule.source !== undefined && !(rule.source in cfg.sources)) problems.push(`${where}.source: no source named "${rule.source}"`);
    if (rule.schema !== undefined && !(rule.schema in cfg.schemas)) problems.push(`${where}.schema: no schema named "${rule.schema}"`);
    const key = ruleName(rule);
    const previous = seen.get(key);
    if (previous !== undefined) problems.push(`${where}.${rule.name === undefined ? "event_type" : "name"}: duplicates routing_rules[${previous}] (${key})`);
    else seen.set(key, i);
    if (rule.mode === "sync") {
      if (rule.ordering_key !== undefined) problems.push(`${where}.ordering_key: ordering applies to async routes only`);
      if (rule.max_backlog !== undefined && rule.fallback === "none") {
        problems.push(`${where}.max_backlog: applies to async routes or sync routes with fallback async_dlq`);
      }
    } else if (rule.fallback !== "none") {
      problems.push(`${where}.fallback: applies to sync routes only`);
    }
    if (rule.retry_policy !== undefined) {
      if (rule.retry_matrix !== undefined) problems.push(`${where}.retry_policy: give either retry_matrix or retry_policy, not both`);
      if (rule.max_attempts !== undefined) problems.push(`${where}.max_attempts: not allowed with retry_policy (its max_attempts is the total)`);
    } else if (rule.max_attempts !== undefined && rule.max_attempts > 1 && rule.retry_matrix?.length === 0) {
      problems.push(`${where}.retry_matrix: must have at least one step when max_attempts > 1`);
    }
  });
  problems.push(
    ...scaleProblems(
      cfg.queue_shards,
      cfg.dedup,
      cfg.routing_rules.map((r) => r.queue),
    ),
  );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: build(cfg, compiled.schemas) };
}

function build(cfg: ParsedConfig, schemas: ReadonlyMap<string, EventSchema>): Config {
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
    const { endpoint: single, destinations: listed, filter, name: _name, ...rest } = rule;
    const destinations = listed?.map((d) => ({ endpoint: d.endpoint, filter: compiled(d.filter) })) ?? [{ endpoint: single ?? "", filter: null }];
    const primary = destinations[0]?.endpoint ?? "";
    const policy = rulePolicy(rule);
    return {
      ...rest,
      retry_matrix: policy.matrix,
      index,
      name: ruleName(rule),
      endpoint: primary,
      destinations,
      filter: compiled(filter),
      effectiveTimeoutMs: rule.timeout_ms ?? cfg.endpoints[primary]?.timeout_ms ?? DEFAULT_SYNC_TIMEOUT_MS,
      policy,
    };
  });
  return {
    raw: cfg,
    maxBodyBytes: cfg.max_body_bytes,
    allowPrivateNetworks: cfg.allow_private_networks,
    dedupWindowS: cfg.dedup_window_s,
    dlqRetentionHours: cfg.dlq_retention_hours,
    dlqAlertThreshold: cfg.dlq_alert_threshold,
    alertGroupWindowS: cfg.alert_group_window_s,
    metricsSampleRate: cfg.metrics_sample_rate,
    successLogSampleRate: cfg.success_log_sample_rate,
    maintenanceWindows: cfg.maintenance_windows.map((w) => ({ endpoints: w.endpoints, start: Date.parse(w.start), end: Date.parse(w.end), pauseDelivery: w.pause_delivery })),
    sources,
    endpoints,
    rules,
    schemas,
    queueShards: loadQueueShards(cfg.queue_shards),
    dedup: loadDedupSharding(cfg.dedup),
  };
}

/**
 * A rule's route name: its own `name`, else `[source:]event_type`, plus `#` and a digest of its filter
 * when it has one (so rules that differ only by filter get distinct, stable names).
 */
export function ruleName(rule: Pick<RuleConfig, "name" | "event_type" | "source" | "filter">): string {
  if (rule.name !== undefined) return rule.name;
  const base = routeName(rule);
  return rule.filter === undefined ? base : `${base}#${digest(JSON.stringify(rule.filter))}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable label, not a security measure. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A filter already checked by the schema, compiled for evaluation. */
function compiled(filter: unknown): CompiledFilter | null {
  if (filter === undefined) return null;
  const result = compileFilter(filter);
  if (!result.ok) throw new Error("filter passed the schema but does not compile");
  return result.filter;
}

/** A rule's retry schedule: retry_policy (§8) when given, else retry_matrix (default) and max_attempts. */
function rulePolicy(rule: RuleConfig): RetryPolicy {
  const p = rule.retry_policy;
  if (p === undefined) return retryPolicy(rule.retry_matrix ?? DEFAULT_RETRY_MATRIX, rule.max_attempts);
  return policyFromBackoff({ maxAttempts: p.max_attempts, backoff: p.backoff, baseDelayMs: p.base_delay_ms, maxDelayMs: p.max_delay_ms, jitter: p.jitter });
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
