// The admin API's wire shapes as zod schemas (docs/contract.md §4). Request schemas validate input; response
// schemas document output (and are checked against real answers in tests). Named ones become
// OpenAPI components: `responseSchemas` are described as output, `requestSchemas` as input.
import * as z from "zod";
import { DEAD_LETTER_REASONS } from "../../core/dead-letter";
import { FALLBACK_REASONS } from "../../core/envelope";
import type { DeadLetterStatus } from "../../ports/storage";

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
    id: z.string().describe("The message id"),
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
  endpoint: filterValue().optional(),
  reason: z.enum(DEAD_LETTER_REASONS, { error: `must be one of ${DEAD_LETTER_REASONS.join(", ")}` }).optional(),
};

export const DeadLetterQuerySchema = z.strictObject({
  ...deadLetterFilters,
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

const SecretRefSchema = z.object({ name: z.string().describe("Binding name"), present: z.boolean() });

export const BreakerSchema = z
  .object({
    state: z.enum(["closed", "open", "half_open"]),
    opened_at: iso().nullable(),
    retry_in_ms: int().nullable(),
    consecutive_failures: int(),
  })
  .register(responseSchemas, { id: "BreakerState" });

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
      }),
    ),
    routing_rules: z.array(
      z.object({
        name: z.string(),
        event_type: z.string(),
        source: z.string().nullable(),
        mode: z.enum(["sync", "async"]),
        endpoint: z.string(),
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
  success_rate: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});

export const EndpointDetailSchema = z
  .object({
    name: z.string(),
    url: z.string(),
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
    routes: z.array(StatsSchema.extend({ route: z.string(), endpoint: z.string(), dlq_size: int() })),
  })
  .register(responseSchemas, { id: "Stats" });

export const FallbackQuerySchema = z.strictObject({
  source: filterValue().optional(),
  endpoint: filterValue().optional(),
  reason: z.enum(FALLBACK_REASONS, { error: `must be one of ${FALLBACK_REASONS.join(", ")}` }).optional(),
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
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .register(responseSchemas, { id: "FallbackPage" });

export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(responseSchemas, { id: "OpenApiDocument" });

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
