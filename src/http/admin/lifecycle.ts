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
import type { AttemptSchema } from "./schemas";
import { AttemptPageSchema, AttemptQuerySchema, EndpointDetailSchema, EventSchema, MessageIdParamsSchema, NameParamsSchema, PauseRequestSchema } from "./schemas";

const unauthorized = { description: "Missing or wrong bearer token", problem: true } as const;
const noEndpoint = { description: "No such endpoint", problem: true } as const;

export function registerLifecycleRoutes(router: AdminRouter): void {
  for (const action of ["pause", "resume"] as const) {
    router.add(
      {
        method: "post",
        path: `/endpoints/{name}/${action}`,
        operationId: `${action}Endpoint`,
        tag: "routes",
        scope: "operate",
        params: NameParamsSchema,
        ...(action === "pause" ? { body: PauseRequestSchema } : {}),
        summary: action === "pause" ? "Pause the endpoint: nothing reaches it; async events wait, sync calls fall back or get 503" : "Lift a pause or a quarantine",
        responses: { 200: { description: "The endpoint's view", schema: EndpointDetailSchema }, 401: unauthorized, 404: noEndpoint },
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
      tag: "routes",
      params: NameParamsSchema,
      query: AttemptQuerySchema,
      summary: "The endpoint's most recent attempts (at least the last 500), newest first, with the first 1 KiB of each answer",
      responses: {
        200: { description: "A page of attempts", schema: AttemptPageSchema },
        400: { description: "Invalid query", problem: true },
        401: unauthorized,
        404: noEndpoint,
      },
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
      tag: "routes",
      params: MessageIdParamsSchema,
      summary: "What the gateway knows of one event: source, type, route, and per destination its state and attempts",
      responses: { 200: { description: "The event", schema: EventSchema }, 401: unauthorized, 404: { description: "Nothing is known of this id", problem: true } },
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
