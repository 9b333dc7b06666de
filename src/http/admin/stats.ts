// GET /admin/stats (per endpoint and route over the last hour, from each EndpointGuard object's
// snapshot, plus the dead letters waiting) and GET /admin/fallbacks (sync-to-async fallbacks, for reconciliation).
import type * as z from "../../core/zod";
import type { RouteStats } from "../../ports/guard";
import { problem } from "../problem";
import { decodeCursor, encodeCursor } from "./cursor";
import type { AdminRouter } from "./router";
import type { FallbackPageSchema, StatsResponseSchema } from "./docs/schemas";
import { FallbackQuerySchema } from "./schemas";

const EMPTY: Omit<RouteStats, "route"> = {
  delivered: 0,
  failed: 0,
  dead_lettered: 0,
  filtered: 0,
  success_rate: null,
  p50_ms: null,
  p95_ms: null,
  lag_ms: { p50: null, p95: null, max: null },
};

export function registerStatsRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/stats",
      operationId: "getStats",
      scope: "read",
    },
    async (c) => {
      const config = c.get("config");
      const [snapshots, waiting] = await Promise.all([
        Promise.all([...config.endpoints.values()].map(async (e) => [e.name, await c.env.ports.guard.snapshot(e)] as const)),
        c.env.ports.deadLetters.countWaitingByRoute(),
      ]);
      const byEndpoint = new Map(snapshots);
      const dlqOfEndpoint = (name: string) => waiting.filter((w) => w.endpoint === name).reduce((n, w) => n + w.count, 0);
      const dlqOfRoute = (route: string, endpoint: string) => waiting.find((w) => w.route === route && w.endpoint === endpoint)?.count ?? 0;
      const body: z.input<typeof StatsResponseSchema> = {
        window_s: 3600,
        endpoints: snapshots.map(([name, s]) => ({
          endpoint: name,
          breaker: s?.breaker.state ?? null,
          inflight: s?.inflight ?? null,
          ...(s?.last_hour.total ?? EMPTY),
          dlq_size: dlqOfEndpoint(name),
        })),
        // One entry per (route, destination): each destination is delivered, and counted, on its own.
        routes: config.rules.flatMap((rule) =>
          rule.destinations.map(({ endpoint }) => {
            const stats = byEndpoint.get(endpoint)?.last_hour.routes.find((r) => r.route === rule.name);
            const { route: _route, ...numbers } = stats ?? { route: rule.name, ...EMPTY };
            // Schema violations are counted once per route, on its first destination's guard.
            const schemaViolations = byEndpoint.get(rule.endpoint)?.last_hour.schema_violations?.[rule.name] ?? 0;
            return { route: rule.name, endpoint, ...numbers, dlq_size: dlqOfRoute(rule.name, endpoint), schema_violations: schemaViolations };
          }),
        ),
      };
      return c.json(body);
    },
  );

  router.add(
    {
      method: "get",
      path: "/fallbacks",
      operationId: "listFallbacks",
      scope: "read",
      query: FallbackQuerySchema,
    },
    async (c, { query }) => {
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      if (cursor === null && query.cursor !== undefined) {
        return problem(c, { kind: "invalid-input", detail: "Invalid query: cursor: not a next_cursor returned by this API" });
      }
      const filter = { source: query.source, endpoint: query.endpoint, reason: query.reason, state: query.state };
      const page = await c.env.ports.fallbacks.list({ filter, limit: query.limit, after: cursor });
      const body: z.input<typeof FallbackPageSchema> = {
        items: page.rows.map((r) => ({
          id: r.id,
          trace_id: r.trace_id,
          source: r.source,
          event_type: r.event_type,
          route: r.route,
          endpoint: r.endpoint,
          reason: r.reason,
          at: new Date(r.at).toISOString(),
          state: r.state,
          unreconciled: r.state === "waiting" && r.flagged_at !== null,
          settled_at: r.settled_at === null ? null : new Date(r.settled_at).toISOString(),
          replays: r.replays,
        })),
        next_cursor: page.next === null ? null : encodeCursor(page.next),
      };
      return c.json(body);
    },
  );
}
