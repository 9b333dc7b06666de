// POST/GET/DELETE /admin/silences (contract §8): run-time silences of alerts, stored durably in the
// silence store; the cron's alerts skip the endpoints they cover until they end.
import { recordAudit } from "./audit-log";
import type * as z from "../../core/zod";
import { messageId } from "../../core/ids";
import type { Silence } from "../../ports/silences";
import { problem } from "../problem";
import type { AdminRouter } from "./router";
import type { SilenceListSchema, SilenceSchema } from "./docs/schemas";
import { IdParamsSchema, SilenceBodySchema } from "./schemas";

export function silenceView(s: Silence): z.input<typeof SilenceSchema> {
  return {
    id: s.id,
    endpoints: s.endpoints === "*" ? "*" : [...s.endpoints],
    until: new Date(s.until).toISOString(),
    reason: s.reason,
    created_at: new Date(s.created_at).toISOString(),
  };
}

export function registerSilenceRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "post",
      path: "/silences",
      operationId: "addSilence",
      scope: "admin",
      body: SilenceBodySchema,
    },
    async (c, { body }) => {
      const config = c.get("config");
      const { clock, silences } = c.env.ports;
      const now = clock.now();
      const until = Date.parse(body.until);
      if (until <= now) return problem(c, { kind: "invalid-input", detail: "Invalid request body: until: must be in the future" });
      if (body.endpoints !== "*") {
        const unknown = body.endpoints.filter((e) => !config.endpoints.has(e));
        if (unknown.length > 0)
          return problem(c, { kind: "invalid-input", detail: `Invalid request body: endpoints: no endpoint named ${unknown.map((u) => `"${u}"`).join(", ")}` });
      }
      const silence: Silence = {
        id: messageId(now, clock.randomBytes(10)).replace(/^msg_/, "sil_"),
        endpoints: body.endpoints === "*" ? "*" : [...new Set(body.endpoints)],
        until,
        reason: body.reason ?? null,
        created_at: now,
      };
      await silences.add(silence);
      await recordAudit(c, { action: "silence.add", target: silence.id, params: { endpoints: silence.endpoints, until: body.until }, result: "ok" });
      return c.json(silenceView(silence), 201);
    },
  );

  router.add(
    {
      method: "get",
      path: "/silences",
      operationId: "listSilences",
      scope: "read",
    },
    async (c) => {
      const { clock, silences } = c.env.ports;
      const body: z.input<typeof SilenceListSchema> = { items: (await silences.listActive(clock.now())).map(silenceView) };
      return c.json(body);
    },
  );

  router.add(
    {
      method: "delete",
      path: "/silences/{id}",
      operationId: "endSilence",
      scope: "admin",
      params: IdParamsSchema,
    },
    async (c, { params }) => {
      const { clock, silences } = c.env.ports;
      const ended = await silences.end(params.id, clock.now());
      await recordAudit(c, { action: "silence.end", target: params.id, result: ended ? "ok" : "not_found" });
      if (!ended) return problem(c, { kind: "unknown-silence" });
      return c.body(null, 204);
    },
  );
}
