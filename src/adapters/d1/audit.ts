// D1 audit log (ports/audit AuditStore): appended rows, listed newest first with equality filters
// and a `since` bound, purged oldest first. Schema: migrations/0007_audit_log.sql, docs/storage.md.
import type { AuditEntry, AuditStore } from "../../ports/audit";
import { pageOf } from "../paging";

const COLUMNS = "id, at, actor, actor_via, channel, action, target, params, result, count, trace_id";

export function d1AuditStore(db: D1Database): AuditStore {
  return {
    async record(e) {
      await db
        .prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .bind(e.id, e.at, e.actor, e.actor_via, e.channel, e.action, e.target, e.params, e.result, e.count, e.trace_id)
        .run();
    },

    async list({ actor, action, since, limit, after }) {
      const clauses: string[] = [];
      const params: (string | number)[] = [];
      const where = (sql: string, ...values: (string | number)[]) => {
        clauses.push(sql);
        params.push(...values);
      };
      if (actor !== undefined) where("actor = ?", actor);
      if (action !== undefined) where("action = ?", action);
      if (since !== undefined) where("at >= ?", since);
      if (after !== null) where("(at < ? OR (at = ? AND id < ?))", after.at, after.at, after.id);
      const whereSql = clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
      const { results } = await db
        .prepare(`SELECT ${COLUMNS} FROM audit_log${whereSql} ORDER BY at DESC, id DESC LIMIT ?`)
        .bind(...params, limit + 1)
        .all<AuditEntry>();
      return pageOf(results, limit, (r) => ({ at: r.at, id: r.id }));
    },

    async purgeOlderThan(before, limit) {
      const result = await db.prepare("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at ASC LIMIT ?)").bind(before, limit).run();
      return result.meta.changes;
    },
  };
}
