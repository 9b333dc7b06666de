// D1 fallback store (ports/storage FallbackStore): every sync-to-async fallback, recorded once per
// message id, tracked to its final state and reconciled (flags and slots are compare-and-swaps, so a
// rerun changes nothing twice). Schema: migrations/0001, 0006, docs/storage.md.
import { MAX_RECONCILE_REPLAYS, type FallbackStore, type FallbackView } from "../../ports/storage";
import { pageOf } from "../paging";

const COLUMNS = "id, trace_id, source, event_type, route, endpoint, reason, at, state, settled_at, flagged_at, replays, reconciled_at, confirmed_at";

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
      if (filter.state === "unreconciled") clauses.push("state = 'waiting' AND flagged_at IS NOT NULL");
      else if (filter.state !== undefined) {
        clauses.push("state = ?");
        params.push(filter.state);
      }
      if (after !== null) {
        clauses.push("(at < ? OR (at = ? AND id < ?))");
        params.push(after.at, after.at, after.id);
      }
      const whereSql = clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
      params.push(limit + 1);
      const { results } = await db
        .prepare(`SELECT ${COLUMNS} FROM fallbacks${whereSql} ORDER BY at DESC, id DESC LIMIT ?`)
        .bind(...params)
        .all<FallbackView>();
      return pageOf(results, limit, (r) => ({ at: r.at, id: r.id }));
    },

    async settle(id, state, at) {
      await db.prepare("UPDATE fallbacks SET state = ?, settled_at = ? WHERE id = ? AND state != 'delivered'").bind(state, at, id).run();
    },

    async flagOverdue(route, before, now, limit) {
      const { results } = await db
        .prepare(
          `UPDATE fallbacks SET flagged_at = ? WHERE id IN (SELECT id FROM fallbacks WHERE route = ? AND state = 'waiting' AND flagged_at IS NULL AND at < ? ORDER BY at LIMIT ?)
           AND flagged_at IS NULL RETURNING ${COLUMNS}`,
        )
        .bind(now, route, before, limit)
        .all<FallbackView>();
      return results.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    },

    async reconcileCandidates(endpoint, since, slot, limit) {
      const { results } = await db
        .prepare(
          `SELECT ${COLUMNS} FROM fallbacks WHERE endpoint = ? AND at >= ? AND at < ? AND confirmed_at IS NULL AND (reconciled_at IS NULL OR reconciled_at < ?) ORDER BY at, id LIMIT ?`,
        )
        .bind(endpoint, since, slot, slot, limit)
        .all<FallbackView>();
      return results;
    },

    async confirm(ids, slot, at) {
      if (ids.length === 0) return;
      const update = db.prepare("UPDATE fallbacks SET confirmed_at = ?, reconciled_at = ? WHERE id = ?");
      await db.batch(ids.map((id) => update.bind(at, slot, id)));
    },

    async claimReconcile(id, slot, countReplay) {
      const row = await db
        .prepare(
          `UPDATE fallbacks SET reconciled_at = ?, replays = replays + ? WHERE id = ? AND (reconciled_at IS NULL OR reconciled_at < ?) AND (? = 0 OR replays < ?) RETURNING id`,
        )
        .bind(slot, countReplay ? 1 : 0, id, slot, countReplay ? 1 : 0, MAX_RECONCILE_REPLAYS)
        .first<{ id: string }>();
      return row !== null;
    },
  };
}
