// GET /admin/routes (the effective config, secrets as binding names only, URLs redacted, breakers),
// GET /admin/endpoints/{name} (breaker, in-flight, last hour) and POST /admin/endpoints/{name}/reset.
import type * as z from "../../core/zod";
import type { Context } from "hono";
import type { Config, Endpoint } from "../../config/load";
import type { AppEnv } from "../context";
import { redactUrl } from "../../core/url-guard";
import { secretActive, type SecretEntry } from "../../core/secret-window";
import type { GuardSnapshot } from "../../ports/guard";
import type { Secrets } from "../../ports/secrets";
import { log } from "../../log";
import { problem } from "../problem";
import { recordAudit } from "./audit-log";
import type { AdminRouter } from "./router";
import type { EffectiveConfigSchema, EndpointDetailSchema, EndpointResetSchema, SecretRefSchema } from "./docs/schemas";
import { NameParamsSchema } from "./schemas";

/** An endpoint whose guard could not be reached: its lifecycle is unknown. */
const UNKNOWN_LIFECYCLE = { state: null, paused_at: null, pause_reason: null, quarantined_at: null, quarantine_reason: null };

export function registerEndpointRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/routes",
      operationId: "getRoutes",
      scope: "read",
    },
    async (c) => {
      const config = c.get("config");
      const { guard, secrets, clock } = c.env.ports;
      const snapshots = await Promise.all([...config.endpoints.values()].map(async (e) => [e.name, await guard.snapshot(e)] as const));
      return c.json(effectiveConfig(secrets, config, new Map(snapshots), clock.now()));
    },
  );

  router.add(
    {
      method: "get",
      path: "/endpoints/{name}",
      operationId: "getEndpoint",
      scope: "read",
      params: NameParamsSchema,
    },
    async (c, { params }) => {
      const endpoint = c.get("config").endpoints.get(params.name);
      if (endpoint === undefined) return problem(c, { kind: "unknown-endpoint", name: params.name });
      return endpointView(c, endpoint);
    },
  );

  router.add(
    {
      method: "post",
      path: "/endpoints/{name}/reset",
      operationId: "resetEndpoint",
      scope: "operate",
      params: NameParamsSchema,
    },
    async (c, { params }) => {
      const endpoint = c.get("config").endpoints.get(params.name);
      if (endpoint === undefined) {
        await recordAudit(c, { action: "endpoint.reset", target: params.name, result: "not_found" });
        return problem(c, { kind: "unknown-endpoint", name: params.name });
      }
      const { guard } = c.env.ports;
      await guard.reset(endpoint);
      await recordAudit(c, { action: "endpoint.reset", target: endpoint.name, result: "ok" });
      log("warn", "breaker_reset", { trace_id: c.get("trace").traceId, endpoint: endpoint.name });
      const s = await guard.snapshot(endpoint);
      if (s === null) return problem(c, { kind: "unavailable", retryAfterS: 1, detail: "The breaker was reset; its state cannot be read right now." });
      const body: z.input<typeof EndpointResetSchema> = { name: endpoint.name, breaker: s.breaker };
      return c.json(body);
    },
  );
}

/** The endpoint's view (GET /admin/endpoints/{name}, and the answer of pause and resume). */
export async function endpointView(c: Context<AppEnv>, endpoint: Endpoint): Promise<Response> {
  const s = await c.env.ports.guard.snapshot(endpoint);
  if (s === null) return problem(c, { kind: "unavailable", retryAfterS: 1, detail: "The endpoint's state cannot be read right now." });
  const body: z.input<typeof EndpointDetailSchema> = {
    name: endpoint.name,
    url: redactUrl(endpoint.url),
    ...s.lifecycle,
    breaker: s.breaker,
    inflight: s.inflight,
    last_hour: s.last_hour.total,
    routes: s.last_hour.routes,
    transitions: s.transitions,
    per_minute: s.per_minute,
  };
  return c.json(body);
}

/** Each secret entry: its binding and whether it exists; a windowed entry (§8) adds its window and whether it is in it. */
function secretRefs(secrets: Secrets, entries: readonly SecretEntry[], now: number): z.input<typeof SecretRefSchema>[] {
  return entries.map((e) => {
    const ref = { name: e.binding, present: secrets.get(e.binding) !== undefined };
    if (e.notBefore === null && e.notAfter === null) return ref;
    const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
    return { ...ref, not_before: iso(e.notBefore), not_after: iso(e.notAfter), active: secretActive(e, now) };
  });
}

function effectiveConfig(secrets: Secrets, config: Config, snapshots: ReadonlyMap<string, GuardSnapshot | null>, now: number): z.input<typeof EffectiveConfigSchema> {
  return {
    max_body_bytes: config.maxBodyBytes,
    allow_private_networks: config.allowPrivateNetworks,
    dedup_window_s: config.dedupWindowS,
    dlq_retention_hours: config.dlqRetentionHours,
    dlq_alert_threshold: config.dlqAlertThreshold ?? null,
    alerting: {
      webhook_configured: secrets.get("ALERT_WEBHOOK_URL") !== undefined,
      signing_secret_present: secrets.get("ALERT_SIGNING_SECRET") !== undefined,
    },
    sources: Object.fromEntries(
      [...config.sources.values()].map((s) => [
        s.name,
        {
          verify: { scheme: s.verify.scheme, tolerance_s: s.verify.tolerance_s, secrets: secretRefs(secrets, s.verify.secrets, now) },
          event_type_header: s.eventTypeHeader,
          event_type_field: s.eventTypeField,
          idempotency_header: s.idempotency_header ?? null,
          rate_limit: s.rate_limit ?? null,
          min_tls_version: s.min_tls_version,
          require_client_certificate: s.require_client_certificate,
        },
      ]),
    ),
    endpoints: Object.fromEntries(
      [...config.endpoints.values()].map((e) => [
        e.name,
        {
          url: redactUrl(e.url),
          signing_secrets: secretRefs(secrets, e.signing_secrets, now),
          max_concurrency: e.max_concurrency,
          timeout_ms: e.timeout_ms ?? null,
          circuit_breaker: { ...e.circuit_breaker, failure_rate: e.circuit_breaker.failure_rate ?? null },
          breaker: snapshots.get(e.name)?.breaker ?? null,
          quarantine: e.quarantine ?? null,
          ...(snapshots.get(e.name)?.lifecycle ?? UNKNOWN_LIFECYCLE),
        },
      ]),
    ),
    routing_rules: config.rules.map((r) => ({
      name: r.name,
      event_type: r.event_type,
      source: r.source ?? null,
      mode: r.mode,
      endpoint: r.endpoint,
      destinations: r.destinations.map((d) => ({ endpoint: d.endpoint, filter: d.filter?.json ?? null })),
      filter: r.filter?.json ?? null,
      timeout_ms: r.effectiveTimeoutMs,
      fallback: r.fallback,
      queue: r.queue,
      retry_matrix: [...r.retry_matrix],
      max_attempts: r.policy.maxAttempts,
      ordering_key: r.ordering_key ?? null,
      on_failure: r.on_failure,
      max_backlog: r.max_backlog ?? null,
      shed_when_open: r.shed_when_open,
      auto_replay: r.auto_replay,
      forward_headers: [...r.forward_headers],
    })),
  };
}
