// The zod schema of GATEWAY_CONFIG (docs/contract.md §1): fields, defaults and cross-field rules.
// Secrets are never in the document: it names the bindings that hold them.
import * as z from "zod";
import { SCHEME_NAMES, takesSecrets } from "../core/signatures/registry";
import { boundedJsonSchemaDocument } from "./json-schema";

const positiveInt = (what = "a positive integer") =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` });
const nonNegativeInt = () =>
  z.number({ error: "must be a non-negative integer" }).int({ error: "must be a non-negative integer" }).min(0, { error: "must be a non-negative integer" });
const bindingName = z.string({ error: "must be a binding name" }).regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: "must be a binding name (letters, digits, _)" });
const name = z.string({ error: "must be a name" }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: "must be 1-64 characters of letters, digits, _ . -" });

const verifySchema = z
  .object({
    scheme: z.enum(SCHEME_NAMES, { error: `must be one of ${SCHEME_NAMES.join(", ")}` }),
    secrets: z.array(bindingName, { error: "must be a list of binding names" }).max(8, { error: "at most 8 secrets" }),
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

const endpointSchema = z
  .object({
    url: z.string({ error: "must be a URL" }).max(2048, { error: "must be at most 2048 characters" }),
    signing_secrets: z.array(bindingName, { error: "must be a list of binding names" }).max(8, { error: "at most 8 secrets" }).default([]),
    max_concurrency: positiveInt().max(10_000, { error: "must be at most 10000" }).default(100),
    timeout_ms: positiveInt().max(120_000, { error: "must be at most 120000" }).optional(),
    circuit_breaker: breakerSchema.default({ failure_threshold: 5, recovery_timeout_ms: 30_000, half_open_max_probes: 1 }),
    availability_objective: z
      .number({ error: "must be a number in (0, 1)" })
      .gt(0, { error: "must be a number in (0, 1)" })
      .lt(1, { error: "must be a number in (0, 1)" })
      .default(0.99),
  })
  .strict();

const orderingKey = z.string().regex(/^(body:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,15}|header:[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128})$/, {
  error: "must be body:<dot.path> or header:<Name>",
});

const ruleSchema = z
  .object({
    event_type: z
      .string({ error: "must be an event type pattern" })
      .regex(/^(\*|[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*(\.\*)?)$/, { error: "must be an event type, a prefix ending in .*, or *" }),
    source: name.optional(),
    mode: z.enum(["sync", "async"], { error: "must be sync or async" }),
    endpoint: name,
    timeout_ms: positiveInt().max(120_000, { error: "must be at most 120000" }).optional(),
    fallback: z.enum(["none", "async_dlq"], { error: "must be none or async_dlq" }).default("none"),
    queue: bindingName.default("DELIVERY_QUEUE"),
    retry_matrix: z
      .array(nonNegativeInt().max(86_400_000, { error: "must be at most 86400000 (24 h)" }), { error: "must be a list of delays in ms" })
      .max(100, { error: "at most 100 steps" })
      .default([500, 1000, 2000, 4000, 8000]),
    max_attempts: positiveInt().max(101, { error: "must be at most 101" }).optional(),
    ordering_key: orderingKey.optional(),
    on_failure: z.enum(["dead_letter_and_continue", "block"], { error: "must be dead_letter_and_continue or block" }).default("dead_letter_and_continue"),
    max_backlog: positiveInt().optional(),
    shed_when_open: z.boolean({ error: "must be true or false" }).default(false),
    auto_replay: z.boolean({ error: "must be true or false" }).default(false),
    forward_headers: z.array(headerName).max(32, { error: "at most 32 headers" }).default([]),
    schema: name.optional(),
  })
  .strict();

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
    sources: z.record(name, sourceSchema, { error: "must be an object of sources" }),
    endpoints: z.record(name, endpointSchema, { error: "must be an object of endpoints" }),
    routing_rules: z.array(ruleSchema, { error: "must be a list of rules" }).max(500, { error: "at most 500 rules" }),
    schemas: z.record(name, boundedJsonSchemaDocument, { error: "must be an object of JSON Schemas" }).default({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type SourceConfig = ParsedConfig["sources"][string];
export type EndpointConfig = ParsedConfig["endpoints"][string];
export type RuleConfig = ParsedConfig["routing_rules"][number];
