// Endpoint lifecycle and delivery history (docs/contract.md §6, §7): POST /admin/endpoints/{name}/pause
// and /resume, GET /admin/endpoints/{name}/attempts (cursor paging) and GET /admin/events/{message_id}.
import { recordAudit } from "./audit-log";
import type * as z from "../../core/zod";
import { lookupEvent } from "../../delivery/event-lookup";
import { pauseEndpoint, resumeEndpoint } from "../../delivery/lifecycle";
import type { AttemptLogEntry } from "../../ports/guard";
import { log } from "../../log";
import { problem } from "../problem";
import { decodeSeqCursor } from "./cursor";
import { endpointView } from "./endpoints";
import type { AdminRouter } from "./router";
import type { AttemptPageSchema, AttemptSchema, EventSchema } from "./docs/schemas";
import { AttemptQuerySchema, MessageIdParamsSchema, NameParamsSchema, PauseRequestSchema } from "./schemas";

export function registerLifecycleRoutes(router: AdminRouter): void {
  for (const action of ["pause", "resume"] as const) {
    router.add(
      {
        method: "post",
        path: `/endpoints/{name}/${action}`,
        operationId: `${action}Endpoint`,
        scope: "operate",
        params: NameParamsSchema,
        ...(action === "pause" ? { body: PauseRequestSchema } : {}),
      },
      async (c, { params, body }) => {
        const config = c.get("config");
        const endpoint = config.endpoints.get(params.name);
        if (endpoint === undefined) return problem(c, { kind: "unknown-endpoint", name: params.name });
        const reason = (body as z.output<typeof PauseRequestSchema> | undefined)?.reason ?? null;
        const ports = c.env.ports;
        const lifecycle = action === "pause" ? await pauseEndpoint(ports, config, endpoint, reason) : await resumeEndpoint(ports, config, endpoint);
        await recordAudit(c, { action: `endpoint.${action}`, target: endpoint.name, params: reason === null ? {} : { reason }, result: lifecycle.state });
        log("warn", `endpoint_${action}_requested`, { trace_id: c.get("trace").traceId, endpoint: endpoint.name, state: lifecycle.state });
        return endpointView(c, endpoint);
      },
    );
  }

  router.add(
    {
      method: "get",
      path: "/endpoints/{name}/attempts",
      operationId: "listAttempts",
      scope: "read",
      params: NameParamsSchema,
      query: AttemptQuerySchema,
    },
    async (c, { params, query }) => {
      const endpoint = c.get("config").endpoints.get(params.name);
      if (endpoint === undefined) return problem(c, { kind: "unknown-endpoint", name: params.name });
      const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor);
      if (before === null && query.cursor !== undefined) return problem(c, { kind: "invalid-input", detail: "Invalid query: cursor: not a next_cursor returned by this API" });
      const page = await c.env.ports.guard.attempts(endpoint, query.limit, before);
      const body: z.input<typeof AttemptPageSchema> = { items: page.items.map(attemptWire), next_cursor: page.next === null ? null : String(page.next) };
      return c.json(body);
    },
  );

  router.add(
    {
      method: "get",
      path: "/events/{message_id}",
      operationId: "getEvent",
      scope: "read",
      params: MessageIdParamsSchema,
    },
    async (c, { params }) => {
      const trace = await lookupEvent(c.env.ports, c.get("config"), params.message_id);
      if (trace === null) return problem(c, { kind: "not-found" });
      const body: z.input<typeof EventSchema> = {
        message_id: trace.messageId,
        source: trace.source,
        event_type: trace.eventType,
        route: trace.route,
        destinations: trace.destinations.map((d) => ({
          endpoint: d.endpoint,
          route: d.route,
          state: d.state,
          attempts: d.attempts.map(attemptWire),
          dead_letter:
            d.deadLetter === null
              ? null
              : { reason: d.deadLetter.reason, status: d.deadLetter.status, attempts: d.deadLetter.attempts, failed_at: new Date(d.deadLetter.failed_at).toISOString() },
        })),
      };
      return c.json(body);
    },
  );
}

export function attemptWire(a: AttemptLogEntry): z.input<typeof AttemptSchema> {
  return {
    message_id: a.messageId,
    source: a.source,
    event_type: a.eventType,
    route: a.route,
    attempt: a.attempt,
    mode: a.mode,
    status: a.status,
    outcome: a.outcome,
    latency_ms: a.latencyMs,
    lag_ms: a.lagMs,
    error: a.error,
    at: new Date(a.at).toISOString(),
    response_excerpt: a.excerpt,
    response_encoding: a.excerptEncoding,
  };
}
