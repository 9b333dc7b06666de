// The admin API's wire shapes as zod schemas (docs/contract.md §4). Request schemas validate input; response
// schemas document output (and are checked against real answers in tests). Named ones become
// OpenAPI components: `responseSchemas` are described as output, `requestSchemas` as input.
import * as z from "zod";
import { DEAD_LETTER_REASONS } from "../../core/dead-letter";
import { FALLBACK_REASONS } from "../../core/envelope";
import { FALLBACK_STATES, type DeadLetterStatus } from "../../ports/storage";

const FALLBACK_STATE_FILTERS = ["unreconciled", ...FALLBACK_STATES] as const;

export const responseSchemas = z.registry<{ id: string }>();
export const requestSchemas = z.registry<{ id: string }>();

const int = () => z.number().int();
const iso = () => z.iso.datetime().describe("ISO 8601 timestamp (UTC)");
const filterValue = () => z.string().min(1, { error: "must not be empty" }).max(256, { error: "must be at most 256 characters" });

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
  .describe("RFC 9457 problem details")
  .register(responseSchemas, { id: "Problem" });

// ---- dead letters

export const DeadLetterSchema = z
  .object({
    id: z.string().describe("The dead letter's id: the message id, or `<message id>.<endpoint>` when the rule has several destinations"),
    message_id: z.string().describe("The message id (webhook-id) shared by every destination's copy"),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    endpoint: z.string(),
    reason: z.enum(DEAD_LETTER_REASONS),
    attempts: int(),
    last_status: int().nullable(),
    last_error: z.string().nullable(),
    trace_id: z.string(),
    created_at: iso(),
    failed_at: iso(),
    replay_count: int(),
    replayed_at: iso().nullable(),
    ordering_key: z.string().nullable(),
    sequence: int().nullable(),
  })
  .register(responseSchemas, { id: "DeadLetter" });

export const DeadLetterDetailSchema = DeadLetterSchema.extend({
  status: z.enum(DEAD_LETTER_STATUSES),
  idempotency_key: z.string().nullable(),
  content_type: z.string().nullable(),
  body_size: int(),
  headers: z.record(z.string(), z.string()).describe("Headers forwarded with the event (credential-like values redacted)"),
  body: z.string().nullable().describe("The body as received; null when its claim-check object is missing"),
  body_encoding: z.enum(["utf8", "base64"]).nullable(),
}).register(responseSchemas, { id: "DeadLetterDetail" });

export const DeadLetterPageSchema = z
  .object({
    items: z.array(DeadLetterSchema),
    next_cursor: z.string().nullable(),
  })
  .register(responseSchemas, { id: "DeadLetterPage" });

const limit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be an integer from 1 to ${max}` })
    .int({ error: `must be an integer from 1 to ${max}` })
    .min(1, { error: `must be an integer from 1 to ${max}` })
    .max(max, { error: `must be an integer from 1 to ${max}` })
    .default(fallback);

const deadLetterFilters = {
  source: filterValue().optional(),
  event_type: filterValue().optional(),
  endpoint: filterValue().optional().describe("The destination endpoint"),
  reason: z.enum(DEAD_LETTER_REASONS, { error: `must be one of ${DEAD_LETTER_REASONS.join(", ")}` }).optional(),
};

export const DeadLetterQuerySchema = z.strictObject({
  ...deadLetterFilters,
  message_id: filterValue().optional().describe("Every destination's item of one message"),
  status: z.enum(DEAD_LETTER_STATUSES, { error: `must be one of ${DEAD_LETTER_STATUSES.join(", ")}` }).default("dead"),
  limit: limit(200, 50),
  cursor: z.string().max(512).optional().describe("next_cursor of the previous page"),
});

export const BulkReplayBodySchema = z
  .strictObject({
    ...deadLetterFilters,
    limit: z
      .number({ error: "must be an integer from 1 to 200" })
      .int({ error: "must be an integer from 1 to 200" })
      .min(1, { error: "must be an integer from 1 to 200" })
      .max(200, { error: "must be an integer from 1 to 200" })
      .default(100),
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

export const IdParamsSchema = z.strictObject({ id: z.string().min(1).max(128) });
export const NameParamsSchema = z.strictObject({ name: z.string().min(1).max(64) });

// ---- routes and endpoints

export const SecretRefSchema = z.object({
  name: z.string().describe("Binding name"),
  present: z.boolean(),
  not_before: iso().nullable().optional().describe("Scheduled rotation (§8): used from this instant; only on windowed entries"),
  not_after: iso().nullable().optional().describe("Scheduled rotation (§8): no longer used from this instant"),
  active: z.boolean().optional().describe("Whether the entry is inside its window now"),
});

export const BreakerSchema = z
  .object({
    state: z.enum(["closed", "open", "half_open"]),
    opened_at: iso().nullable(),
    retry_in_ms: int().nullable(),
    consecutive_failures: int(),
  })
  .register(responseSchemas, { id: "BreakerState" });

const LIFECYCLE_STATES = ["active", "paused", "quarantined"] as const;

/** The lifecycle fields of an endpoint's view (docs/contract.md §6). */
const lifecycleFields = {
  state: z.enum(LIFECYCLE_STATES),
  paused_at: iso().nullable(),
  pause_reason: z.string().nullable(),
  quarantined_at: iso().nullable(),
  quarantine_reason: z.string().nullable().describe("open_cycles, failing or gone"),
};

export const EffectiveConfigSchema = z
  .object({
    max_body_bytes: int(),
    allow_private_networks: z.boolean(),
    dedup_window_s: int(),
    dlq_retention_hours: int(),
    dlq_alert_threshold: int().nullable(),
    alerting: z.object({ webhook_configured: z.boolean(), signing_secret_present: z.boolean() }),
    sources: z.record(
      z.string(),
      z.object({
        verify: z.object({ scheme: z.string(), tolerance_s: int(), secrets: z.array(SecretRefSchema) }),
        event_type_header: z.string(),
        event_type_field: z.string(),
        idempotency_header: z.string().nullable(),
        rate_limit: z.object({ requests: int(), period_s: int() }).nullable(),
        min_tls_version: z.string(),
        require_client_certificate: z.boolean(),
      }),
    ),
    endpoints: z.record(
      z.string(),
      z.object({
        url: z.string().describe("Without userinfo, query or fragment"),
        signing_secrets: z.array(SecretRefSchema),
        max_concurrency: int(),
        timeout_ms: int().nullable(),
        circuit_breaker: z.object({
          failure_threshold: int(),
          recovery_timeout_ms: int(),
          half_open_max_probes: int(),
          failure_rate: z.object({ threshold: z.number(), min_calls: int(), window: int() }).nullable(),
        }),
        breaker: BreakerSchema.nullable().describe("null when the endpoint's guard could not be reached"),
        quarantine: z.object({ after_open_cycles: int().optional(), after_failing_s: int().optional(), on_gone: z.boolean().optional() }).nullable(),
        ...lifecycleFields,
        state: z.enum(LIFECYCLE_STATES).nullable().describe("null when the endpoint's guard could not be reached"),
      }),
    ),
    routing_rules: z.array(
      z.object({
        name: z.string(),
        event_type: z.string(),
        source: z.string().nullable(),
        mode: z.enum(["sync", "async"]),
        endpoint: z.string().describe("The first destination (a sync rule's primary)"),
        destinations: z.array(z.object({ endpoint: z.string(), filter: z.unknown().nullable().describe("The destination's filter as written") })),
        filter: z.unknown().nullable().describe("The rule's own filter as written"),
        timeout_ms: int().describe("Effective sync timeout"),
        fallback: z.enum(["none", "async_dlq"]),
        queue: z.string(),
        retry_matrix: z.array(int()),
        max_attempts: int().describe("Effective: 1 + retry_matrix length unless set"),
        ordering_key: z.string().nullable(),
        on_failure: z.enum(["dead_letter_and_continue", "block"]),
        max_backlog: int().nullable(),
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
  filtered: int().describe("Events this destination's filter left out"),
  success_rate: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  lag_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), max: z.number().nullable() }).optional().describe("now − accepted_at at attempt start, last hour"),
});

export const EndpointDetailSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    ...lifecycleFields,
    breaker: BreakerSchema,
    inflight: int(),
    last_hour: StatsSchema,
    routes: z.array(StatsSchema.extend({ route: z.string() })),
    transitions: z.array(z.object({ at: iso(), from: z.string(), to: z.string() })).describe("Newest first"),
    per_minute: z.array(z.object({ minute: iso(), delivered: int(), failed: int() })),
  })
  .register(responseSchemas, { id: "EndpointDetail" });

export const EndpointResetSchema = z.object({ name: z.string(), breaker: BreakerSchema }).register(responseSchemas, { id: "EndpointReset" });

// ---- stats and fallbacks

export const StatsResponseSchema = z
  .object({
    window_s: int(),
    endpoints: z.array(
      StatsSchema.extend({
        endpoint: z.string(),
        breaker: z.enum(["closed", "open", "half_open"]).nullable(),
        inflight: int().nullable(),
        dlq_size: int().describe("Dead letters waiting (status dead)"),
      }),
    ),
    routes: z.array(
      StatsSchema.extend({
        route: z.string(),
        endpoint: z.string(),
        dlq_size: int(),
        schema_violations: int().describe("Events refused 422 schema-violation by the route's schema, last hour"),
      }),
    ),
  })
  .register(responseSchemas, { id: "Stats" });

export const EventSchemasResponseSchema = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        schema: z.unknown().describe("The JSON Schema (draft 2020-12) as configured"),
        rules: z.array(z.object({ route: z.string(), event_type: z.string(), source: z.string().nullable(), endpoint: z.string(), mode: z.enum(["sync", "async"]) })),
      }),
    ),
  })
  .register(responseSchemas, { id: "EventSchemas" });

export const FallbackQuerySchema = z.strictObject({
  source: filterValue().optional(),
  endpoint: filterValue().optional(),
  reason: z.enum(FALLBACK_REASONS, { error: `must be one of ${FALLBACK_REASONS.join(", ")}` }).optional(),
  state: z.enum(FALLBACK_STATE_FILTERS, { error: `must be one of ${FALLBACK_STATE_FILTERS.join(", ")}` }).optional(),
  limit: limit(200, 50),
  cursor: z.string().max(512).optional(),
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
        state: z.enum(FALLBACK_STATES).describe("Where the event stands: waiting (still being delivered), delivered, dead_lettered"),
        unreconciled: z.boolean().describe("Still waiting after the rule's reconcile_after_s (flagged by the cron)"),
        settled_at: iso().nullable(),
        replays: int().describe("Replays asked for by the endpoint's reconcile_url (at most 3)"),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .register(responseSchemas, { id: "FallbackPage" });

// ---- silences (contract §8)

export const SilenceBodySchema = z
  .strictObject({
    endpoints: z.union([z.literal("*"), z.array(z.string().min(1).max(64)).min(1).max(100)], { error: 'must be a list of endpoint names or "*"' }),
    until: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
    reason: z.string().max(500, { error: "must be at most 500 characters" }).optional(),
  })
  .register(requestSchemas, { id: "SilenceInput" });

export const SilenceSchema = z
  .object({
    id: z.string(),
    endpoints: z.union([z.literal("*"), z.array(z.string())]),
    until: iso(),
    reason: z.string().nullable(),
    created_at: iso(),
  })
  .register(responseSchemas, { id: "Silence" });

export const SilenceListSchema = z.object({ items: z.array(SilenceSchema) }).register(responseSchemas, { id: "SilenceList" });

export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(responseSchemas, { id: "OpenApiDocument" });

// ---- endpoint lifecycle, attempt log, event lookup (docs/contract.md §6, §7)

export const PauseRequestSchema = z.strictObject({ reason: z.string().max(500).optional() }).register(requestSchemas, { id: "PauseRequest" });

export const AttemptQuerySchema = z.strictObject({ limit: limit(200, 50), cursor: z.string().max(64).optional() });

export const AttemptSchema = z
  .object({
    message_id: z.string(),
    source: z.string(),
    event_type: z.string(),
    route: z.string(),
    attempt: int(),
    mode: z.enum(["sync", "async"]),
    status: int().nullable().describe("null when no answer came"),
    outcome: z.enum(["delivered", "rejected", "failed", "timeout", "network_error"]),
    latency_ms: int(),
    lag_ms: int().describe("now − accepted_at when the attempt started"),
    error: z.string().nullable(),
    at: iso(),
    response_excerpt: z.string().nullable().describe("First 1 KiB of the answer"),
    response_encoding: z.enum(["utf8", "base64"]).nullable(),
  })
  .register(responseSchemas, { id: "Attempt" });

export const AttemptPageSchema = z.object({ items: z.array(AttemptSchema), next_cursor: z.string().nullable() }).register(responseSchemas, { id: "AttemptPage" });

export const MessageIdParamsSchema = z.strictObject({ message_id: z.string().min(1).max(128) });

export const EventSchema = z
  .object({
    message_id: z.string(),
    source: z.string().nullable(),
    event_type: z.string().nullable(),
    route: z.string().nullable(),
    destinations: z.array(
      z.object({
        endpoint: z.string(),
        route: z.string(),
        state: z.enum(["queued", "delivered", "dead_lettered", "filtered", "waiting"]),
        attempts: z.array(AttemptSchema),
        dead_letter: z.object({ reason: z.enum(DEAD_LETTER_REASONS), status: z.string(), attempts: int(), failed_at: iso() }).nullable(),
      }),
    ),
  })
  .register(responseSchemas, { id: "Event" });
// ---- audit log

export const AuditQuerySchema = z.strictObject({
  actor: filterValue().optional().describe("A token name, ADMIN_TOKEN, or an Access email"),
  action: filterValue().optional().describe("dead_letter.replay, dead_letter.bulk_replay, dead_letter.delete, endpoint.reset, ..."),
  since: z.iso.datetime({ error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z" }).optional().describe("Entries at or after this time"),
  limit: limit(200, 50),
  cursor: z.string().max(512).optional().describe("next_cursor of the previous page"),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: iso(),
    actor: z.string(),
    actor_via: z.enum(["token", "access"]),
    channel: z.enum(["api", "console"]),
    action: z.string(),
    target: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    result: z.string(),
    count: int().nullable(),
    trace_id: z.string(),
  })
  .register(responseSchemas, { id: "AuditEntry" });

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), next_cursor: z.string().nullable() }).register(responseSchemas, { id: "AuditPage" });
