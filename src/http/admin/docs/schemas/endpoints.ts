// Routes' and endpoints' answers: the effective config, an endpoint's detail (breaker, lifecycle, stats), reset.
import * as z from "../../../../core/zod";
import { int, iso, responseSchemas } from "./common";

export const SecretRefSchema = z.object({
  name: z.string().check(z.describe("Binding name")),
  present: z.boolean(),
  not_before: z.optional(z.nullable(iso())).check(z.describe("Scheduled rotation (§8): used from this instant; only on windowed entries")),
  not_after: z.optional(z.nullable(iso())).check(z.describe("Scheduled rotation (§8): no longer used from this instant")),
  active: z.optional(z.boolean()).check(z.describe("Whether the entry is inside its window now")),
});

export const BreakerSchema = z
  .object({
    state: z.enum(["closed", "open", "half_open"]),
    opened_at: z.nullable(iso()),
    retry_in_ms: z.nullable(int()),
    consecutive_failures: int(),
  })
  .register(responseSchemas, { id: "BreakerState" });

const LIFECYCLE_STATES = ["active", "paused", "quarantined"] as const;

/** The lifecycle fields of an endpoint's view (docs/contract.md §6). */
const lifecycleFields = {
  state: z.enum(LIFECYCLE_STATES),
  paused_at: z.nullable(iso()),
  pause_reason: z.nullable(z.string()),
  quarantined_at: z.nullable(iso()),
  quarantine_reason: z.nullable(z.string()).check(z.describe("open_cycles, failing or gone")),
};

export const EffectiveConfigSchema = z
  .object({
    max_body_bytes: int(),
    allow_private_networks: z.boolean(),
    dedup_window_s: int(),
    dlq_retention_hours: int(),
    dlq_alert_threshold: z.nullable(int()),
    alerting: z.object({ webhook_configured: z.boolean(), signing_secret_present: z.boolean() }),
    sources: z.record(
      z.string(),
      z.object({
        verify: z.object({ scheme: z.string(), tolerance_s: int(), secrets: z.array(SecretRefSchema) }),
        event_type_header: z.string(),
        event_type_field: z.string(),
        idempotency_header: z.nullable(z.string()),
        rate_limit: z.nullable(z.object({ requests: int(), period_s: int() })),
        min_tls_version: z.string(),
        require_client_certificate: z.boolean(),
      }),
    ),
    endpoints: z.record(
      z.string(),
      z.object({
        url: z.string().check(z.describe("Without userinfo, query or fragment")),
        signing_secrets: z.array(SecretRefSchema),
        max_concurrency: int(),
        timeout_ms: z.nullable(int()),
        circuit_breaker: z.object({
          failure_threshold: int(),
          recovery_timeout_ms: int(),
          half_open_max_probes: int(),
          failure_rate: z.nullable(z.object({ threshold: z.number(), min_calls: int(), window: int() })),
        }),
        breaker: z.nullable(BreakerSchema).check(z.describe("null when the endpoint's guard could not be reached")),
        quarantine: z.nullable(z.object({ after_open_cycles: z.optional(int()), after_failing_s: z.optional(int()), on_gone: z.optional(z.boolean()) })),
        ...lifecycleFields,
        state: z.nullable(z.enum(LIFECYCLE_STATES)).check(z.describe("null when the endpoint's guard could not be reached")),
      }),
    ),
    routing_rules: z.array(
      z.object({
        name: z.string(),
        event_type: z.string(),
        source: z.nullable(z.string()),
        mode: z.enum(["sync", "async"]),
        endpoint: z.string().check(z.describe("The first destination (a sync rule's primary)")),
        destinations: z.array(z.object({ endpoint: z.string(), filter: z.nullable(z.unknown()).check(z.describe("The destination's filter as written")) })),
        filter: z.nullable(z.unknown()).check(z.describe("The rule's own filter as written")),
        timeout_ms: int().check(z.describe("Effective sync timeout")),
        fallback: z.enum(["none", "async_dlq"]),
        queue: z.string(),
        retry_matrix: z.array(int()),
        max_attempts: int().check(z.describe("Effective: 1 + retry_matrix length unless set")),
        ordering_key: z.nullable(z.string()),
        on_failure: z.enum(["dead_letter_and_continue", "block"]),
        max_backlog: z.nullable(int()),
        shed_when_open: z.boolean(),
        auto_replay: z.boolean(),
        forward_headers: z.array(z.string()),
      }),
    ),
  })
  .register(responseSchemas, { id: "EffectiveConfig" });

/** One window's delivery stats; /admin/stats extends it per endpoint and per route. */
export const StatsSchema = z.object({
  delivered: int(),
  failed: int(),
  dead_lettered: int(),
  filtered: int().check(z.describe("Events this destination's filter left out")),
  success_rate: z.nullable(z.number()),
  p50_ms: z.nullable(z.number()),
  p95_ms: z.nullable(z.number()),
  lag_ms: z
    .optional(z.object({ p50: z.nullable(z.number()), p95: z.nullable(z.number()), max: z.nullable(z.number()) }))
    .check(z.describe("now − accepted_at at attempt start, last hour")),
});

export const EndpointDetailSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    ...lifecycleFields,
    breaker: BreakerSchema,
    inflight: int(),
    last_hour: StatsSchema,
    routes: z.array(z.extend(StatsSchema, { route: z.string() })),
    transitions: z.array(z.object({ at: iso(), from: z.string(), to: z.string() })).check(z.describe("Newest first")),
    per_minute: z.array(z.object({ minute: iso(), delivered: int(), failed: int() })),
  })
  .register(responseSchemas, { id: "EndpointDetail" });

export const EndpointResetSchema = z.object({ name: z.string(), breaker: BreakerSchema }).register(responseSchemas, { id: "EndpointReset" });
