// The zod schema of GATEWAY_CONFIG (docs/contract.md §1): fields, defaults and cross-field rules.
// Secrets are never in the document: it names the bindings that hold them.
import * as z from "zod";
import { SCHEME_NAMES, takesSecrets } from "../core/signatures/registry";
import { filterSchema } from "./filter-schema";
import { BACKOFF_KINDS, DEFAULT_MAX_DELAY_MS } from "../core/retry";
import type { SecretEntry } from "../core/secret-window";
import { boundedJsonSchemaDocument } from "./json-schema";
import { dedupSchema, queueShardsSchema } from "./scale";

const positiveInt = (what = "a positive integer") =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` });
const nonNegativeInt = () =>
  z.number({ error: "must be a non-negative integer" }).int({ error: "must be a non-negative integer" }).min(0, { error: "must be a non-negative integer" });
const bindingName = z.string({ error: "must be a binding name" }).regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: "must be a binding name (letters, digits, _)" });
const name = z.string({ error: "must be a name" }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: "must be 1-64 characters of letters, digits, _ . -" });

const isoInstant = z
  .string({ error: "must be an ISO 8601 date-time" })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, { error: "must be an ISO 8601 date-time with a time zone (2026-03-01T00:00:00Z)" })
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: "must be a real date-time" });

/** A secret entry (§8): a binding name, or one used only inside its window; normalised to core's SecretEntry. */
const secretEntry = z
  .union(
    [
      bindingName,
      z
        .object({ binding: bindingName, not_before: isoInstant.optional(), not_after: isoInstant.optional() })
        .strict()
        .refine((e) => e.not_before === undefined || e.not_after === undefined || Date.parse(e.not_before) < Date.parse(e.not_after), {
          error: "not_before must be earlier than not_after",
          path: ["not_after"],
        }),
    ],
    { error: 'must be a binding name or { "binding", "not_before"?, "not_after"? }' },
  )
  .transform((e): SecretEntry =>
    typeof e === "string"
      ? { binding: e, notBefore: null, notAfter: null }
      : { binding: e.binding, notBefore: e.not_before === undefined ? null : Date.parse(e.not_before), notAfter: e.not_after === undefined ? null : Date.parse(e.not_after) },
  );
const secretList = z.array(secretEntry, { error: "must be a list of secret entries" }).max(8, { error: "at most 8 secrets" });

const verifySchema = z
  .object({
    scheme: z.enum(SCHEME_NAMES, { error: `must be one of ${SCHEME_NAMES.join(", ")}` }),
    // Optional for `scheme: "none"` (§8); the refinement below requires one for every other scheme.
    secrets: secretList.default([]),
    tolerance_s: positiveInt().max(86_400, { error: "must be at most 86400" }).default(300),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (takesSecrets(v.scheme) && v.secrets.length === 0) {
      ctx.addIssue({ code: "custom", path: ["secrets"], message: `must name at least one secret binding for scheme ${v.scheme}` });
    }
  });

const rateLimitSchema = z.object({ requests: positiveInt(), period_s: positiveInt().max(86_400, { error: "must be at most 86400" }) }).strict();

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, { error: "must be an HTTP header name" });

const sourceSchema = z
  .object({
    verify: verifySchema,
    event_type_header: headerName.optional(),
    event_type_field: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}$/, { error: "must be a dot path" })
      .optional(),
    idempotency_header: headerName.optional(),
    rate_limit: rateLimitSchema.optional(),
    min_tls_version: z.enum(["1.0", "1.1", "1.2", "1.3"], { error: "must be one of 1.0, 1.1, 1.2, 1.3" }).default("1.3"),
    require_client_certificate: z.boolean({ error: "must be true or false" }).default(false),
  })
  .strict();

const failureRateSchema = z
  .object({
    threshold: z.number({ error: "must be a number in (0, 1]" }).gt(0, { error: "must be a number in (0, 1]" }).max(1, { error: "must be a number in (0, 1]" }),
    min_calls: positiveInt(),
    window: positiveInt().max(1000, { error: "must be at most 1000" }),
  })
  .strict();

const breakerSchema = z
  .object({
    failure_threshold: positiveInt().default(5),
    recovery_timeout_ms: positiveInt().max(3_600_000, { error: "must be at most 3600000" }).default(30_000),
    half_open_max_probes: positiveInt().default(1),
    failure_rate: failureRateSchema.optional(),
  })
  .strict();

/** Automatic quarantine (docs/contract.md §6). */
const quarantineSchema = z
  .object({
    after_open_cycles: positiveInt().max(1_000, { error: "must be at most 1000" }).optional(),
    after_failing_s: positiveInt()
      .max(30 * 86_400, { error: "must be at most 2592000 (30 days)" })
      .optional(),
    on_gone: z.boolean({ error: "must be true or false" }).optional(),
  })
  .strict();

const endpointSchema = z
  .object({
    url: z.string({ error: "must be a URL" }).max(2048, { error: "must be at most 2048 characters" }),
    signing_secrets: secretList.default([]),
    max_concurrency: positiveInt().max(10_000, { error: "must be at most 10000" }).default(100),
    timeout_ms: positiveInt().max(120_000, { error: "must be at most 120000" }).optional(),
    circuit_breaker: breakerSchema.default({ failure_threshold: 5, recovery_timeout_ms: 30_000, half_open_max_probes: 1 }),
    availability_objective: z
      .number({ error: "must be a number in (0, 1)" })
      .gt(0, { error: "must be a number in (0, 1)" })
      .lt(1, { error: "must be a number in (0, 1)" })
      .default(0.99),
    quarantine: quarantineSchema.optional(),
    /** Reconciliation (issue 17): the cron POSTs signed batches of this endpoint's fallbacks here. */
    reconcile_url: z.string({ error: "must be a URL" }).max(2048, { error: "must be at most 2048 characters" }).optional(),
    /** Alert tier (§8): alerts are grouped per tier; ALERT_WEBHOOK_URL_<TIER> overrides the destination. */
    tier: z
      .string({ error: "must be a tier name" })
      .regex(/^[A-Za-z0-9_]{1,32}$/, { error: "must be 1-32 letters, digits or _" })
      .optional(),
  })
  .strict();

const orderingKey = z.string().regex(/^(body:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}|header:[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128})$/, {
  error: "must be body:<dot.path> or header:<Name>",
});

/** At most this many destinations per rule (docs/contract.md §5). */
export const MAX_DESTINATIONS = 20;

const destinationSchema = z.object({ endpoint: name, filter: filterSchema.optional() }).strict();
/** The source document's retry form (docs/contract.md §8); one of retry_matrix / retry_policy per rule. */
const retryPolicySchema = z
  .object({
    max_attempts: positiveInt().max(101, { error: "must be at most 101" }),
    backoff: z.enum(BACKOFF_KINDS, { error: `must be one of ${BACKOFF_KINDS.join(", ")}` }),
    base_delay_ms: nonNegativeInt().max(86_400_000, { error: "must be at most 86400000 (24 h)" }),
    max_delay_ms: positiveInt().max(86_400_000, { error: "must be at most 86400000 (24 h)" }).default(DEFAULT_MAX_DELAY_MS),
    jitter: z.boolean({ error: "must be true or false" }).default(true),
  })
  .strict();

const ruleSchema = z
  .object({
    event_type: z
      .string({ error: "must be an event type pattern" })
      .regex(/^(\*|[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*(\.\*)?)$/, { error: "must be an event type, a prefix ending in .*, or *" }),
    source: name.optional(),
    mode: z.enum(["sync", "async"], { error: "must be sync or async" }),
    /** One endpoint (v1), or `destinations` (docs/contract.md §5): exactly one of the two. */
    endpoint: name.optional(),
    destinations: z
      .array(destinationSchema, { error: "must be a list of destinations" })
      .min(1, { error: "must name at least one destination" })
      .max(MAX_DESTINATIONS, { error: `at most ${MAX_DESTINATIONS} destinations` })
      .optional(),
    /** A content filter the event must match for this rule to take it (docs/contract.md §5). */
    filter: filterSchema.optional(),
    /** The route's name in dead letters, stats and logs; default `[source:]event_type` (plus a filter digest). */
    name: z
      .string({ error: "must be a route name" })
      .regex(/^[A-Za-z0-9_:/.*#-]{1,128}$/, { error: "must be 1-128 characters of letters, digits and _ : / . * # -" })
      .optional(),
    timeout_ms: positiveInt().max(120_000, { error: "must be at most 120000" }).optional(),
    fallback: z.enum(["none", "async_dlq"], { error: "must be none or async_dlq" }).default("none"),
    queue: bindingName.default("DELIVERY_QUEUE"),
    // Defaulted in load.ts (not here) so that a rule giving retry_policy as well can be told apart.
    retry_matrix: z
      .array(nonNegativeInt().max(86_400_000, { error: "must be at most 86400000 (24 h)" }), { error: "must be a list of delays in ms" })
      .max(100, { error: "at most 100 steps" })
      .optional(),
    retry_policy: retryPolicySchema.optional(),
    max_attempts: positiveInt().max(101, { error: "must be at most 101" }).optional(),
    ordering_key: orderingKey.optional(),
    on_failure: z.enum(["dead_letter_and_continue", "block"], { error: "must be dead_letter_and_continue or block" }).default("dead_letter_and_continue"),
    max_backlog: positiveInt().optional(),
    shed_when_open: z.boolean({ error: "must be true or false" }).default(false),
    auto_replay: z.boolean({ error: "must be true or false" }).default(false),
    reconcile_after_s: positiveInt()
      .max(7 * 86_400, { error: "must be at most 604800" })
      .default(900),
    forward_headers: z.array(headerName).max(32, { error: "at most 32 headers" }).default([]),
    /** A `lag` alert when the route's p95 delivery lag over the last hour exceeds this (docs/contract.md §7). */
    max_lag_s: positiveInt()
      .max(7 * 86_400, { error: "must be at most 604800 (7 days)" })
      .optional(),
    schema: name.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.endpoint === undefined) === (rule.destinations === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: rule.endpoint === undefined ? ["endpoint"] : ["destinations"],
        message: "a rule names either endpoint or destinations, not both and not neither",
      });
    }
    const seen = new Set<string>();
    rule.destinations?.forEach((d, i) => {
      if (seen.has(d.endpoint)) ctx.addIssue({ code: "custom", path: ["destinations", i, "endpoint"], message: `"${d.endpoint}" is already a destination of this rule` });
      seen.add(d.endpoint);
    });
    const primary = rule.destinations?.[0];
    if (rule.mode === "sync" && primary?.filter !== undefined) {
      ctx.addIssue({ code: "custom", path: ["destinations", 0, "filter"], message: "the primary (first) destination of a sync rule may not have a filter" });
    }
  });

const endpointScope = z.union([z.literal("*"), z.array(name, { error: 'must be a list of endpoint names or "*"' }).min(1, { error: "must name at least one endpoint" })], {
  error: 'must be a list of endpoint names or "*"',
});

/** A scheduled maintenance window (§8): alerts suppressed inside; deliveries paused too with pause_delivery. */
const maintenanceWindowSchema = z
  .object({
    endpoints: endpointScope,
    start: isoInstant,
    end: isoInstant,
    pause_delivery: z.boolean({ error: "must be true or false" }).default(false),
  })
  .strict()
  .refine((w) => Date.parse(w.start) < Date.parse(w.end), { error: "must be later than start", path: ["end"] });

export const configSchema = z
  .object({
    max_body_bytes: positiveInt()
      .max(100 * 1024 * 1024, { error: "must be at most 104857600" })
      .default(2_097_152),
    allow_private_networks: z.boolean({ error: "must be true or false" }).default(false),
    dedup_window_s: positiveInt()
      .max(30 * 86_400, { error: "must be at most 2592000 (30 days)" })
      .default(86_400),
    dlq_retention_hours: positiveInt()
      .max(24 * 365, { error: "must be at most 8760" })
      .default(720),
    dlq_alert_threshold: positiveInt().optional(),
    metrics_sample_rate: z
      .number({ error: "must be a number in (0, 1]" })
      .gt(0, { error: "must be a number in (0, 1]" })
      .max(1, { error: "must be a number in (0, 1]" })
      .default(1),
    success_log_sample_rate: z
      .number({ error: "must be a number in (0, 1]" })
      .gt(0, { error: "must be a number in (0, 1]" })
      .max(1, { error: "must be a number in (0, 1]" })
      .default(1),
    alert_group_window_s: positiveInt().max(86_400, { error: "must be at most 86400" }).default(300),
    maintenance_windows: z.array(maintenanceWindowSchema, { error: "must be a list of maintenance windows" }).max(100, { error: "at most 100 windows" }).default([]),
    sources: z.record(name, sourceSchema, { error: "must be an object of sources" }),
    endpoints: z.record(name, endpointSchema, { error: "must be an object of endpoints" }),
    routing_rules: z.array(ruleSchema, { error: "must be a list of rules" }).max(500, { error: "at most 500 rules" }),
    schemas: z.record(name, boundedJsonSchemaDocument, { error: "must be an object of JSON Schemas" }).default({}),
    /** Scale settings (docs/sharding.md): queue shards per producer binding, dedup shard count. */
    queue_shards: queueShardsSchema,
    dedup: dedupSchema,
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type SourceConfig = ParsedConfig["sources"][string];
export type EndpointConfig = ParsedConfig["endpoints"][string];
export type RuleConfig = ParsedConfig["routing_rules"][number];
