// Records one state-changing admin or console action in the audit log, in one line at the call site:
// `await recordAudit(c, { action: "endpoint.pause", target: name, result: "ok" })`. The actor, channel,
// time and trace id come from the request. A failed write is logged, never turned into an error answer.
import type { Context } from "hono";
import { errorMessage, log } from "../../log";
import type { AppEnv } from "../context";

export interface AuditAction {
  /** `dead_letter.replay`, `dead_letter.bulk_replay`, `dead_letter.delete`, `endpoint.reset`, `endpoint.pause`, `silence.create`, ... */
  action: string;
  /** What it acted on; omit for bulk actions. */
  target?: string | null;
  /** The request's parameters (filters, limits); no secrets. */
  params?: Record<string, unknown>;
  /** The outcome: `ok`, `queued`, `not_found`, `conflict`, `failed`, ... */
  result: string;
  /** How many items a bulk action changed. */
  count?: number | null;
}

const CONSOLE_PREFIX = "/admin/ui";

export async function recordAudit(c: Context<AppEnv>, a: AuditAction): Promise<void> {
  const principal = c.get("principal");
  const { clock, audit } = c.env.ports;
  const traceId = c.get("trace").traceId;
  const id = [...clock.randomBytes(12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const params = Object.fromEntries(Object.entries(a.params ?? {}).filter(([, v]) => v !== undefined));
  try {
    await audit.record({
      id: `aud_${id}`,
      at: clock.now(),
      actor: principal?.actor ?? "unknown",
      actor_via: principal?.via ?? "token",
      channel: c.req.path.startsWith(CONSOLE_PREFIX) ? "console" : "api",
      action: a.action,
      target: a.target ?? null,
      params: JSON.stringify(params),
      result: a.result,
      count: a.count ?? null,
      trace_id: traceId,
    });
  } catch (error) {
    log("error", "audit_write_failed", { trace_id: traceId, action: a.action, error: errorMessage(error) });
  }
}
