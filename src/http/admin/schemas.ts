// The admin API's wire shapes as zod schemas (docs/contract.md §4). Request schemas validate input; response
// schemas document output (and are checked against real answers in tests). Named ones become
// OpenAPI components: `responseSchemas` are described as output, `requestSchemas` as input.
import * as z from "../../core/zod";
import { DEAD_LETTER_REASONS } from "../../core/dead-letter";
import { FALLBACK_REASONS } from "../../core/envelope";
import { FALLBACK_STATES, type DeadLetterStatus } from "../../ports/storage";

const FALLBACK_STATE_FILTERS = ["unreconciled", ...FALLBACK_STATES] as const;

export const responseSchemas = z.registry<{ id: string }>();
export const requestSchemas = z.registry<{ id: string }>();

const int = () => z.number().check(z.int());
const iso = () => z.iso.datetime().check(z.describe("ISO 8601 timestamp (UTC)"));
const filterValue = () => z.string().check(z.minLength(1, { error: "must not be empty" }), z.maxLength(256, { error: "must be at most 256 characters" }));

export { DEAD_LETTER_REASONS };
export const DEAD_LETTER_STATUSES = ["dead", "replaying", "replayed"] as const satisfies readonly DeadLetterStatus[];

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: int(),
    detail: z.string(),
    trace_id: z.string(),
  })
  .check(z.describe("RFC 9457 problem details"))
  .register(responseSchemas, { id: "Problem" });

// ---- dead letters

export const DeadLetterSchema = z
  .object({
    id: z.string().check(z.describe("The dead letter's id: the message id, or `<message id>.<endpoint>` when the rule has several destinations")),
    message_id: z.string().check(z.describe("The message id (webhook-id) shared by every destination's copy")),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    endpoint: z.string(),
    reason: z.enum(DEAD_LETTER_REASONS),
    attempts: int(),
    last_status: z.nullable(int()),
    last_error: z.nullable(z.string()),
    trace_id: z.string(),
    created_at: iso(),
    failed_at: iso(),
    replay_count: int(),
    replayed_at: z.nullable(iso()),
    ordering_key: z.nullable(z.string()),
    sequence: z.nullable(int()),
  })
  .register(responseSchemas, { id: "DeadLetter" });

export const DeadLetterDetailSchema = z
  .extend(DeadLetterSchema, {
    status: z.enum(DEAD_LETTER_STATUSES),
    idempotency_key: z.nullable(z.string()),
    content_type: z.nullable(z.string()),
    body_size: int(),
    headers: z.record(z.string(), z.string()).check(z.describe("Headers forwarded with the event (credential-like values redacted)")),
    body: z.nullable(z.string()).check(z.describe("The body as received; null when its claim-check object is missing")),
    body_encoding: z.nullable(z.enum(["utf8", "base64"])),
  })
  .register(responseSchemas, { id: "DeadLetterDetail" });

export const DeadLetterPageSchema = z
  .object({
    items: z.array(DeadLetterSchema),
    next_cursor: z.nullable(z.string()),
  })
  .register(responseSchemas, { id: "DeadLetterPage" });

const limit = (max: number, fallback: number) =>
  z._default(
    z.coerce
      .number({ error: `must be an integer from 1 to ${max}` })
      .check(
        z.int({ error: `must be an integer from 1 to ${max}` }),
        z.gte(1, { error: `must be an integer from 1 to ${max}` }),
        z.lte(max, { error: `must be an integer from 1 to ${max}` }),
      ),
    fallback,
  );

const deadLetterFilters = {
  source: z.optional(filterValue()),
  event_type: z.optional(filterValue()),
  endpoint: z.optional(filterValue()).check(z.describe("The destination endpoint")),
  reason: z.optional(z.enum(DEAD_LETTER_REASONS, { error: `must be one of ${DEAD_LETTER_REASONS.join(", ")}` })),
};

export const DeadLetterQuerySchema = z.strictObject({
  ...deadLetterFilters,
  message_id: z.optional(filterValue()).check(z.describe("Every destination's item of one message")),
  status: z._default(z.enum(DEAD_LETTER_STATUSES, { error: `must be one of ${DEAD_LETTER_STATUSES.join(", ")}` }), "dead"),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))).check(z.describe("next_cursor of the previous page")),
});

export const BulkReplayBodySchema = z
  .strictObject({
    ...deadLetterFilters,
    limit: z._default(
      z
        .number({ error: "must be an integer from 1 to 200" })
        .check(
          z.int({ error: "must be an integer from 1 to 200" }),
          z.gte(1, { error: "must be an integer from 1 to 200" }),
          z.lte(200, { error: "must be an integer from 1 to 200" }),
        ),
      100,
    ),
  })
  .register(requestSchemas, { id: "BulkReplayRequest" });

export const ReplayQueuedSchema = z
  .object({
    id: z.string(),
    status: z.literal("queued"),
    replay_count: int(),
  })
  .register(responseSchemas, { id: "ReplayQueued" });

export const BulkReplayResultSchema = z.object({ replayed: int() }).register(responseSchemas, { id: "BulkReplayResult" });

export const IdParamsSchema = z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
export const NameParamsSchema = z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(64)) });

// ---- routes and endpoints

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

const StatsSchema = z.object({
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

// ---- stats and fallbacks

export const StatsResponseSchema = z
  .object({
    window_s: int(),
    endpoints: z.array(
      z.extend(StatsSchema, {
        endpoint: z.string(),
        breaker: z.nullable(z.enum(["closed", "open", "half_open"])),
        inflight: z.nullable(int()),
        dlq_size: int().check(z.describe("Dead letters waiting (status dead)")),
      }),
    ),
    routes: z.array(
      z.extend(StatsSchema, {
        route: z.string(),
        endpoint: z.string(),
        dlq_size: int(),
        schema_violations: int().check(z.describe("Events refused 422 schema-violation by the route's schema, last hour")),
      }),
    ),
  })
  .register(responseSchemas, { id: "Stats" });

export const EventSchemasResponseSchema = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        schema: z.unknown().check(z.describe("The JSON Schema (draft 2020-12) as configured")),
        rules: z.array(z.object({ route: z.string(), event_type: z.string(), source: z.nullable(z.string()), endpoint: z.string(), mode: z.enum(["sync", "async"]) })),
      }),
    ),
  })
  .register(responseSchemas, { id: "EventSchemas" });

export const FallbackQuerySchema = z.strictObject({
  source: z.optional(filterValue()),
  endpoint: z.optional(filterValue()),
  reason: z.optional(z.enum(FALLBACK_REASONS, { error: `must be one of ${FALLBACK_REASONS.join(", ")}` })),
  state: z.optional(z.enum(FALLBACK_STATE_FILTERS, { error: `must be one of ${FALLBACK_STATE_FILTERS.join(", ")}` })),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});

export const FallbackPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        trace_id: z.string(),
        source: z.string(),
        event_type: z.string(),
        route: z.string(),
        endpoint: z.string(),
        reason: z.enum(FALLBACK_REASONS),
        at: iso(),
        state: z.enum(FALLBACK_STATES).check(z.describe("Where the event stands: waiting (still being delivered), delivered, dead_lettered")),
        unreconciled: z.boolean().check(z.describe("Still waiting after the rule's reconcile_after_s (flagged by the cron)")),
        settled_at: z.nullable(iso()),
        replays: int().check(z.describe("Replays asked for by the endpoint's reconcile_url (at most 3)")),
      }),
    ),
    next_cursor: z.nullable(z.string()),
  })
  .register(responseSchemas, { id: "FallbackPage" });

// ---- silences (contract §8)

export const SilenceBodySchema = z
  .strictObject({
    endpoints: z.union([z.literal("*"), z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(100))], {
      error: 'must be a list of endpoint names or "*"',
    }),
    until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    reason: z.optional(z.string().check(z.maxLength(500, { error: "must be at most 500 characters" }))),
  })
  .register(requestSchemas, { id: "SilenceInput" });

export const SilenceSchema = z
  .object({
    id: z.string(),
    endpoints: z.union([z.literal("*"), z.array(z.string())]),
    until: iso(),
    reason: z.nullable(z.string()),
    created_at: iso(),
  })
  .register(responseSchemas, { id: "Silence" });

export const SilenceListSchema = z.object({ items: z.array(SilenceSchema) }).register(responseSchemas, { id: "SilenceList" });

export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(responseSchemas, { id: "OpenApiDocument" });

// ---- endpoint lifecycle, attempt log, event lookup (docs/contract.md §6, §7)

export const PauseRequestSchema = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(500))) }).register(requestSchemas, { id: "PauseRequest" });

export const AttemptQuerySchema = z.strictObject({ limit: limit(200, 50), cursor: z.optional(z.string().check(z.maxLength(64))) });

export const AttemptSchema = z
  .object({
    message_id: z.string(),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    attempt: int(),
    mode: z.enum(["sync", "async"]),
    status: z.nullable(int()).check(z.describe("null when no answer came")),
    outcome: z.enum(["delivered", "rejected", "failed", "timeout", "network_error"]),
    latency_ms: int(),
    lag_ms: int().check(z.describe("now − accepted_at when the attempt started")),
    error: z.nullable(z.string()),
    at: iso(),
    response_excerpt: z.nullable(z.string()).check(z.describe("First 1 KiB of the answer")),
    response_encoding: z.nullable(z.enum(["utf8", "base64"])),
  })
  .register(responseSchemas, { id: "Attempt" });

export const AttemptPageSchema = z.object({ items: z.array(AttemptSchema), next_cursor: z.nullable(z.string()) }).register(responseSchemas, { id: "AttemptPage" });

export const MessageIdParamsSchema = z.strictObject({ message_id: z.string().check(z.minLength(1), z.maxLength(128)) });

export const EventSchema = z
  .object({
    message_id: z.string(),
    source: z.nullable(z.string()),
    event_type: z.nullable(z.string()),
    route: z.nullable(z.string()),
    destinations: z.array(
      z.object({
        endpoint: z.string(),
        route: z.string(),
        state: z.enum(["queued", "delivered", "dead_lettered", "filtered", "waiting"]),
        attempts: z.array(AttemptSchema),
        dead_letter: z.nullable(z.object({ reason: z.enum(DEAD_LETTER_REASONS), status: z.string(), attempts: int(), failed_at: iso() })),
      }),
    ),
  })
  .register(responseSchemas, { id: "Event" });
// ---- audit log

export const AuditQuerySchema = z.strictObject({
  actor: z.optional(filterValue()).check(z.describe("A token name, ADMIN_TOKEN, or an Access email")),
  action: z.optional(filterValue()).check(z.describe("dead_letter.replay, dead_letter.bulk_replay, dead_letter.delete, endpoint.reset, ...")),
  since: z.optional(z.iso.datetime({ error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z" })).check(z.describe("Entries at or after this time")),
  limit: limit(200, 50),
  cursor: z.optional(z.string().check(z.maxLength(512))).check(z.describe("next_cursor of the previous page")),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: iso(),
    actor: z.string(),
    actor_via: z.enum(["token", "access"]),
    channel: z.enum(["api", "console"]),
    action: z.string(),
    target: z.nullable(z.string()),
    params: z.record(z.string(), z.unknown()),
    result: z.string(),
    count: z.nullable(int()),
    trace_id: z.string(),
  })
  .register(responseSchemas, { id: "AuditEntry" });

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), next_cursor: z.nullable(z.string()) }).register(responseSchemas, { id: "AuditPage" });
