// D1 fallback store (ports/storage FallbackStore): every sync-to-async fallback, recorded once per
// message id and listed newest first for reconciliation. Schema: migrations/, docs/storage.md.
import type { FallbackRow, FallbackStore } from "../../ports/storage";
import { pageOf } from "../paging";

export function d1FallbackStore(db: D1Database): FallbackStore {
  return {
    async record(r) {
      await db
        .prepare("INSERT INTO fallbacks (id, trace_id, source, event_type, route, endpoint, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")
        .bind(r.id, r.trace_id, r.source, r.event_type, r.route, r.endpoint, r.reason, r.at)
        .run();
    },

    async list({ filter, limit, after }) {
      const clauses: string[] = [];
      const params: (string | number)[] = [];
      for (const field of ["source", "endpoint", "reason"] as const) {
        const value = filter[field];
        if (value !== undefined) {
          clauses.push(`${field} = ?`);
          params.push(value);
        }
      }
      if (after !== null) {
        clauses.push("(at < ? OR (at = ? AND id < ?))");
        params.push(after.at, after.at, after.id);
      }
      const whereSql = clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
      params.push(limit + 1);
      const { results } = await db
        .prepare(`SELECT id, trace_id, source, event_type, route, endpoint, reason, at FROM fallbacks${whereSql} ORDER BY at DESC, id DESC LIMIT ?`)
        .bind(...params)
        .all<FallbackRow>();
      return pageOf(results, limit, (r) => ({ at: r.at, id: r.id }));
    },
  };
}
