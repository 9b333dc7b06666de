// The zod schema of GATEWAY_CONFIG (docs/contract.md §1): fields, defaults and cross-field rules.
// Secrets are never in the document: it names the bindings that hold them.
import * as z from "../core/zod";
import { SCHEME_NAMES, takesSecrets } from "../core/signatures/registry";
import { filterSchema } from "./filter-schema";
import { BACKOFF_KINDS, DEFAULT_MAX_DELAY_MS } from "../core/retry";
import type { SecretEntry } from "../core/secret-window";
import { boundedJsonSchemaDocument } from "./json-schema";
import { dedupSchema, queueShardsSchema } from "./scale";

const positiveInt = (what = "a positive integer") => z.number({ error: `must be ${what}` }).check(z.int({ error: `must be ${what}` }), z.positive({ error: `must be ${what}` }));
const nonNegativeInt = () =>
  z.number({ error: "must be a non-negative integer" }).check(z.int({ error: "must be a non-negative integer" }), z.gte(0, { error: "must be a non-negative integer" }));
const bindingName = z.string({ error: "must be a binding name" }).check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: "must be a binding name (letters, digits, _)" }));
const name = z.string({ error: "must be a name" }).check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: "must be 1-64 characters of letters, digits, _ . -" }));

const isoInstant = z.string({ error: "must be an ISO 8601 date-time" }).check(
  z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, { error: "must be an ISO 8601 date-time with a time zone (2026-03-01T00:00:00Z)" }),
  z.refine((v) => !Number.isNaN(Date.parse(v)), { error: "must be a real date-time" }),
);

/** A secret entry (§8): a binding name, or one used only inside its window; normalised to core's SecretEntry. */
const secretEntry = z.pipe(
  z.union(
    [
      bindingName,
      z.strictObject({ binding: bindingName, not_before: z.optional(isoInstant), not_after: z.optional(isoInstant) }).check(
        z.refine((e) => e.not_before === undefined || e.not_after === undefined || Date.parse(e.not_before) < Date.parse(e.not_after), {
          error: "not_before must be earlier than not_after",
          path: ["not_after"],
        }),
      ),
    ],
    { error: 'must be a binding name or { "binding", "not_before"?, "not_after"? }' },
  ),
  z.transform((e): SecretEntry =>
    typeof e === "string"
      ? { binding: e, notBefore: null, notAfter: null }
      : { binding: e.binding, notBefore: e.not_before === undefined ? null : Date.parse(e.not_before), notAfter: e.not_after === undefined ? null : Date.parse(e.not_after) },
  ),
);
const secretList = z.array(secretEntry, { error: "must be a list of secret entries" }).check(z.maxLength(8, { error: "at most 8 secrets" }));

const verifySchema = z
  .strictObject({
    scheme: z.enum(SCHEME_NAMES, { error: `must be one of ${SCHEME_NAMES.join(", ")}` }),
    // Optional for `scheme: "none"` (§8); the refinement below requires one for every other scheme.
    secrets: z._default(secretList, []),
    tolerance_s: z._default(positiveInt().check(z.lte(86_400, { error: "must be at most 86400" })), 300),
  })
  .check(
    z.superRefine((v, ctx) => {
      if (takesSecrets(v.scheme) && v.secrets.length === 0) {
        ctx.addIssue({ code: "custom", path: ["secrets"], message: `must name at least one secret binding for scheme ${v.scheme}` });
      }
    }),
  );

const rateLimitSchema = z.strictObject({ requests: positiveInt(), period_s: positiveInt().check(z.lte(86_400, { error: "must be at most 86400" })) });

const headerName = z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, { error: "must be an HTTP header name" }));

const sourceSchema = z.strictObject({
  verify: verifySchema,
  event_type_header: z.optional(headerName),
  event_type_field: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}$/, { error: "must be a dot path" }))),
  idempotency_header: z.optional(headerName),
  rate_limit: z.optional(rateLimitSchema),
  min_tls_version: z._default(z.enum(["1.0", "1.1", "1.2", "1.3"], { error: "must be one of 1.0, 1.1, 1.2, 1.3" }), "1.3"),
  require_client_certificate: z._default(z.boolean({ error: "must be true or false" }), false),
});

const failureRateSchema = z.strictObject({
  threshold: z.number({ error: "must be a number in (0, 1]" }).check(z.gt(0, { error: "must be a number in (0, 1]" }), z.lte(1, { error: "must be a number in (0, 1]" })),
  min_calls: positiveInt(),
  window: positiveInt().check(z.lte(1000, { error: "must be at most 1000" })),
});

const breakerSchema = z.strictObject({
  failure_threshold: z._default(positiveInt(), 5),
  recovery_timeout_ms: z._default(positiveInt().check(z.lte(3_600_000, { error: "must be at most 3600000" })), 30_000),
  half_open_max_probes: z._default(positiveInt(), 1),
  failure_rate: z.optional(failureRateSchema),
});

/** Automatic quarantine (docs/contract.md §6). */
const quarantineSchema = z.strictObject({
  after_open_cycles: z.optional(positiveInt().check(z.lte(1_000, { error: "must be at most 1000" }))),
  after_failing_s: z.optional(positiveInt().check(z.lte(30 * 86_400, { error: "must be at most 2592000 (30 days)" }))),
  on_gone: z.optional(z.boolean({ error: "must be true or false" })),
});

const endpointSchema = z.strictObject({
  url: z.string({ error: "must be a URL" }).check(z.maxLength(2048, { error: "must be at most 2048 characters" })),
  signing_secrets: z._default(secretList, []),
  max_concurrency: z._default(positiveInt().check(z.lte(10_000, { error: "must be at most 10000" })), 100),
  timeout_ms: z.optional(positiveInt().check(z.lte(120_000, { error: "must be at most 120000" }))),
  circuit_breaker: z._default(breakerSchema, { failure_threshold: 5, recovery_timeout_ms: 30_000, half_open_max_probes: 1 }),
  availability_objective: z._default(
    z.number({ error: "must be a number in (0, 1)" }).check(z.gt(0, { error: "must be a number in (0, 1)" }), z.lt(1, { error: "must be a number in (0, 1)" })),
    0.99,
  ),
  quarantine: z.optional(quarantineSchema),
  /** Reconciliation (issue 17): the cron POSTs signed batches of this endpoint's fallbacks here. */
  reconcile_url: z.optional(z.string({ error: "must be a URL" }).check(z.maxLength(2048, { error: "must be at most 2048 characters" }))),
  /** Alert tier (§8): alerts are grouped per tier; ALERT_WEBHOOK_URL_<TIER> overrides the destination. */
  tier: z.optional(z.string({ error: "must be a tier name" }).check(z.regex(/^[A-Za-z0-9_]{1,32}$/, { error: "must be 1-32 letters, digits or _" }))),
});

const orderingKey = z.string().check(
  z.regex(/^(body:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}|header:[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128})$/, {
    error: "must be body:<dot.path> or header:<Name>",
  }),
);

/** At most this many destinations per rule (docs/contract.md §5). */
export const MAX_DESTINATIONS = 20;

const destinationSchema = z.strictObject({ endpoint: name, filter: z.optional(filterSchema) });
/** The source document's retry form (docs/contract.md §8); one of retry_matrix / retry_policy per rule. */
const retryPolicySchema = z.strictObject({
  max_attempts: positiveInt().check(z.lte(101, { error: "must be at most 101" })),
  backoff: z.enum(BACKOFF_KINDS, { error: `must be one of ${BACKOFF_KINDS.join(", ")}` }),
  base_delay_ms: nonNegativeInt().check(z.lte(86_400_000, { error: "must be at most 86400000 (24 h)" })),
  max_delay_ms: z._default(positiveInt().check(z.lte(86_400_000, { error: "must be at most 86400000 (24 h)" })), DEFAULT_MAX_DELAY_MS),
  jitter: z._default(z.boolean({ error: "must be true or false" }), true),
});

const ruleSchema = z
  .strictObject({
    event_type: z
      .string({ error: "must be an event type pattern" })
      .check(z.regex(/^(\*|[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*(\.\*)?)$/, { error: "must be an event type, a prefix ending in .*, or *" })),
    source: z.optional(name),
    mode: z.enum(["sync", "async"], { error: "must be sync or async" }),
    /** One endpoint (v1), or `destinations` (docs/contract.md §5): exactly one of the two. */
    endpoint: z.optional(name),
    destinations: z.optional(
      z
        .array(destinationSchema, { error: "must be a list of destinations" })
        .check(z.minLength(1, { error: "must name at least one destination" }), z.maxLength(MAX_DESTINATIONS, { error: `at most ${MAX_DESTINATIONS} destinations` })),
    ),
    /** A content filter the event must match for this rule to take it (docs/contract.md §5). */
    filter: z.optional(filterSchema),
    /** The route's name in dead letters, stats and logs; default `[source:]event_type` (plus a filter digest). */
    name: z.optional(
      z.string({ error: "must be a route name" }).check(z.regex(/^[A-Za-z0-9_:/.*#-]{1,128}$/, { error: "must be 1-128 characters of letters, digits and _ : / . * # -" })),
    ),
    timeout_ms: z.optional(positiveInt().check(z.lte(120_000, { error: "must be at most 120000" }))),
    fallback: z._default(z.enum(["none", "async_dlq"], { error: "must be none or async_dlq" }), "none"),
    queue: z._default(bindingName, "DELIVERY_QUEUE"),
    // Defaulted in load.ts (not here) so that a rule giving retry_policy as well can be told apart.
    retry_matrix: z.optional(
      z
        .array(nonNegativeInt().check(z.lte(86_400_000, { error: "must be at most 86400000 (24 h)" })), { error: "must be a list of delays in ms" })
        .check(z.maxLength(100, { error: "at most 100 steps" })),
    ),
    retry_policy: z.optional(retryPolicySchema),
    max_attempts: z.optional(positiveInt().check(z.lte(101, { error: "must be at most 101" }))),
    ordering_key: z.optional(orderingKey),
    on_failure: z._default(z.enum(["dead_letter_and_continue", "block"], { error: "must be dead_letter_and_continue or block" }), "dead_letter_and_continue"),
    max_backlog: z.optional(positiveInt()),
    shed_when_open: z._default(z.boolean({ error: "must be true or false" }), false),
    auto_replay: z._default(z.boolean({ error: "must be true or false" }), false),
    reconcile_after_s: z._default(positiveInt().check(z.lte(7 * 86_400, { error: "must be at most 604800" })), 900),
    forward_headers: z._default(z.array(headerName).check(z.maxLength(32, { error: "at most 32 headers" })), []),
    /** A `lag` alert when the route's p95 delivery lag over the last hour exceeds this (docs/contract.md §7). */
    max_lag_s: z.optional(positiveInt().check(z.lte(7 * 86_400, { error: "must be at most 604800 (7 days)" }))),
    schema: z.optional(name),
  })
  .check(
    z.superRefine((rule, ctx) => {
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
    }),
  );

const endpointScope = z.union(
  [z.literal("*"), z.array(name, { error: 'must be a list of endpoint names or "*"' }).check(z.minLength(1, { error: "must name at least one endpoint" }))],
  {
    error: 'must be a list of endpoint names or "*"',
  },
);

/** A scheduled maintenance window (§8): alerts suppressed inside; deliveries paused too with pause_delivery. */
const maintenanceWindowSchema = z
  .strictObject({
    endpoints: endpointScope,
    start: isoInstant,
    end: isoInstant,
    pause_delivery: z._default(z.boolean({ error: "must be true or false" }), false),
  })
  .check(z.refine((w) => Date.parse(w.start) < Date.parse(w.end), { error: "must be later than start", path: ["end"] }));

export const configSchema = z.strictObject({
  max_body_bytes: z._default(positiveInt().check(z.lte(100 * 1024 * 1024, { error: "must be at most 104857600" })), 2_097_152),
  allow_private_networks: z._default(z.boolean({ error: "must be true or false" }), false),
  dedup_window_s: z._default(positiveInt().check(z.lte(30 * 86_400, { error: "must be at most 2592000 (30 days)" })), 86_400),
  dlq_retention_hours: z._default(positiveInt().check(z.lte(24 * 365, { error: "must be at most 8760" })), 720),
  dlq_alert_threshold: z.optional(positiveInt()),
  metrics_sample_rate: z._default(
    z.number({ error: "must be a number in (0, 1]" }).check(z.gt(0, { error: "must be a number in (0, 1]" }), z.lte(1, { error: "must be a number in (0, 1]" })),
    1,
  ),
  success_log_sample_rate: z._default(
    z.number({ error: "must be a number in (0, 1]" }).check(z.gt(0, { error: "must be a number in (0, 1]" }), z.lte(1, { error: "must be a number in (0, 1]" })),
    1,
  ),
  alert_group_window_s: z._default(positiveInt().check(z.lte(86_400, { error: "must be at most 86400" })), 300),
  maintenance_windows: z._default(
    z.array(maintenanceWindowSchema, { error: "must be a list of maintenance windows" }).check(z.maxLength(100, { error: "at most 100 windows" })),
    [],
  ),
  sources: z.record(name, sourceSchema, { error: "must be an object of sources" }),
  endpoints: z.record(name, endpointSchema, { error: "must be an object of endpoints" }),
  routing_rules: z.array(ruleSchema, { error: "must be a list of rules" }).check(z.maxLength(500, { error: "at most 500 rules" })),
  schemas: z._default(z.record(name, boundedJsonSchemaDocument, { error: "must be an object of JSON Schemas" }), {}),
  /** Scale settings (docs/sharding.md): queue shards per producer binding, dedup shard count. */
  queue_shards: queueShardsSchema,
  dedup: dedupSchema,
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type SourceConfig = ParsedConfig["sources"][string];
export type EndpointConfig = ParsedConfig["endpoints"][string];
export type RuleConfig = ParsedConfig["routing_rules"][number];
