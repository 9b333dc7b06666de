// The audit log port: one row per state-changing admin or console action (who, what, on what, with
// which parameters, the result and when). Backends: adapters/d1/audit.ts, adapters/memory/audit.ts;
// both pass test/runtime/storage-conformance.test.ts.
import type { PrincipalVia } from "../core/admin-scope";
import type { Page, PageCursor } from "./storage";

export interface AuditEntry {
  id: string;
  /** ms since epoch. */
  at: number;
  /** `ADMIN_TOKEN`, a scoped token's name, or an Access email. */
  actor: string;
  actor_via: PrincipalVia;
  /** Where the action came from. */
  channel: "api" | "console";
  /** `dead_letter.replay`, `dead_letter.bulk_replay`, `dead_letter.delete`, `endpoint.reset`, ... */
  action: string;
  /** What it acted on (a dead letter id, an endpoint name); null for a bulk action. */
  target: string | null;
  /** The action's parameters as a JSON object text (a bulk replay's filter and limit). */
  params: string;
  /** The outcome: `ok`, `queued`, `not_found`, `conflict`, `failed`, ... */
  result: string;
  /** How many items it changed (a bulk replay's count); null when it acts on one. */
  count: number | null;
  trace_id: string;
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  /** Only entries at or after this time (ms). */
  since?: number | undefined;
  limit: number;
  after: PageCursor | null;
}

export interface AuditStore {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first by `(at, id)`. */
  list(query: AuditQuery): Promise<Page<AuditEntry>>;
  /** Deletes up to `limit` entries older than `before`, oldest first; returns how many. */
  purgeOlderThan(before: number, limit: number): Promise<number>;
}
