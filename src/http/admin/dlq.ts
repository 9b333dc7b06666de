// The dead-letter routes: list (filters, cursor, newest first), inspect (headers and body, utf8 or
// base64), replay one, bulk replay by filter (each row exactly once, whoever else is replaying), delete.
import type * as z from "../../core/zod";
import type { PayloadStore } from "../../ports/payloads";
import type { DeadLetterRow, DeadLetterSummary } from "../../ports/storage";
import { replayMatching, replayOne } from "../../delivery/replay";
import { deleteDeadLetterById } from "../../delivery/retention";
import { log } from "../../log";
import { problem } from "../problem";
import { recordAudit } from "./audit-log";
import { decodeCursor, encodeCursor } from "./cursor";
import type { AdminRouter } from "./router";
import type { BulkReplayResultSchema, DeadLetterDetailSchema, DeadLetterPageSchema, DeadLetterSchema, ReplayQueuedSchema } from "./docs/schemas";
import { BulkReplayBodySchema, DeadLetterQuerySchema, IdParamsSchema } from "./schemas";

/** Forwarded headers whose values look like credentials are never shown. */
const SENSITIVE_HEADER = /authorization|cookie|secret|token|password|passwd|signature|api[-_]?key|session/i;

export function registerDlqRoutes(router: AdminRouter): void {
  router.add(
    {
      method: "get",
      path: "/dlq",
      operationId: "listDeadLetters",
      scope: "read",
      query: DeadLetterQuerySchema,
    },
    async (c, { query }) => {
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      if (cursor === null && query.cursor !== undefined) {
        return problem(c, { kind: "invalid-input", detail: "Invalid query: cursor: not a next_cursor returned by this API" });
      }
      const { message_id, source, event_type, endpoint, reason } = query;
      const page = await c.env.ports.deadLetters.list({
        filter: { message_id, source, event_type, endpoint, reason },
        statuses: [query.status],
        limit: query.limit,
        after: cursor,
      });
      const body: z.input<typeof DeadLetterPageSchema> = { items: page.rows.map(listItem), next_cursor: page.next === null ? null : encodeCursor(page.next) };
      return c.json(body);
    },
  );

  router.add(
    {
      method: "get",
      path: "/dlq/{id}",
      operationId: "getDeadLetter",
      scope: "read",
      params: IdParamsSchema,
    },
    async (c, { params }) => {
      const stores = c.env.ports;
      const row = await stores.deadLetters.get(params.id);
      if (row === null) return problem(c, { kind: "unknown-dead-letter" });
      return c.json(await detail(stores.payloads, row));
    },
  );

  router.add(
    {
      method: "post",
      path: "/dlq/{id}/replay",
      operationId: "replayDeadLetter",
      scope: "operate",
      params: IdParamsSchema,
    },
    async (c, { params }) => {
      const result = await replayOne(c.env.ports, params.id);
      await recordAudit(c, { action: "dead_letter.replay", target: params.id, result: result.kind });
      switch (result.kind) {
        case "queued": {
          const body: z.input<typeof ReplayQueuedSchema> = { id: result.id, status: "queued", replay_count: result.replayCount };
          return c.json(body, 202);
        }
        case "not_found":
          return problem(c, { kind: "unknown-dead-letter" });
        case "conflict":
          return problem(c, { kind: "conflict", detail: result.detail });
        case "failed":
          return problem(c, { kind: "unavailable", retryAfterS: 5, detail: "The dead letter could not be handed to delivery; retry later." });
      }
    },
  );

  router.add(
    {
      method: "post",
      path: "/dlq/replay",
      operationId: "replayDeadLetters",
      scope: "operate",
      body: BulkReplayBodySchema,
    },
    async (c, { body }) => {
      const { limit, ...filter } = body;
      const result = await replayMatching(c.env.ports, filter, limit, { trigger: "admin" });
      log("info", "bulk_replay", { trace_id: c.get("trace").traceId, replayed: result.replayed, failed: result.failed, ...filter });
      await recordAudit(c, { action: "dead_letter.bulk_replay", params: { ...filter, limit, failed: result.failed }, result: "ok", count: result.replayed });
      const answer: z.input<typeof BulkReplayResultSchema> = { replayed: result.replayed };
      return c.json(answer);
    },
  );

  router.add(
    {
      method: "delete",
      path: "/dlq/{id}",
      operationId: "deleteDeadLetter",
      scope: "operate",
      params: IdParamsSchema,
    },
    async (c, { params }) => {
      const result = await deleteDeadLetterById(c.env.ports, params.id);
      await recordAudit(c, { action: "dead_letter.delete", target: params.id, result: result.kind });
      if (result.kind === "not_found") return problem(c, { kind: "unknown-dead-letter" });
      if (result.kind === "conflict") return problem(c, { kind: "conflict", detail: "This dead letter is being replayed right now." });
      return c.body(null, 204);
    },
  );
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function listItem(row: DeadLetterSummary): z.input<typeof DeadLetterSchema> {
  return {
    id: row.id,
    message_id: row.message_id,
    source: row.source,
    event_type: row.event_type,
    route: row.route,
    endpoint: row.endpoint,
    reason: row.reason,
    attempts: row.attempts,
    last_status: row.last_status,
    last_error: row.last_error,
    trace_id: row.trace_id,
    created_at: iso(row.created_at),
    failed_at: iso(row.failed_at),
    replay_count: row.replay_count,
    replayed_at: isoOrNull(row.replayed_at),
    ordering_key: row.ordering_key,
    sequence: row.sequence,
  };
}

export async function detail(payloads: PayloadStore, row: DeadLetterRow): Promise<z.input<typeof DeadLetterDetailSchema>> {
  const bytes = row.body_ref === null ? (row.body ?? new Uint8Array(0)) : await payloads.get({ kind: "r2", key: row.body_ref, size: row.body_size });
  const headers: Record<string, string> = {};
  for (const [name, value] of JSON.parse(row.headers) as [string, string][]) headers[name] = SENSITIVE_HEADER.test(name) ? "[redacted]" : value;
  return {
    ...listItem(row),
    status: row.status,
    idempotency_key: row.idempotency_key,
    content_type: row.content_type,
    body_size: row.body_size,
    headers,
    ...encodeBody(bytes),
  };
}

function encodeBody(bytes: Uint8Array | undefined): { body: string | null; body_encoding: "utf8" | "base64" | null } {
  if (bytes === undefined) return { body: null, body_encoding: null };
  try {
    return { body: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes), body_encoding: "utf8" };
  } catch {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { body: btoa(binary), body_encoding: "base64" };
  }
}
