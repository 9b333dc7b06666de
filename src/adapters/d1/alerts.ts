// D1 alert store (ports/storage AlertStore): one row per alert condition; a firing is claimed by a
// compare-and-swap upsert, so overlapping scheduled runs and isolates fire a condition once per interval.
// Fired alerts wait in alert_pending until their tier's grouped notification goes out.
import type { AlertStore, PendingAlert } from "../../ports/storage";

export function d1AlertStore(db: D1Database): AlertStore {
  return {
    async claim({ key, kind, detail }, now, intervalMs) {
      const row = await db
        .prepare(
          `INSERT INTO alerts (key, kind, last_fired_at, fire_count, detail) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT(key) DO UPDATE SET last_fired_at = excluded.last_fired_at, fire_count = alerts.fire_count + 1, detail = excluded.detail
         WHERE alerts.last_fired_at <= ? RETURNING key`,
        )
        .bind(key, kind, now, detail, now - intervalMs)
        .first<{ key: string }>();
      return row !== null;
    },

    async backdate(key, claimedAt, firedAt) {
      await db.prepare("UPDATE alerts SET last_fired_at = ? WHERE key = ? AND last_fired_at = ?").bind(firedAt, key, claimedAt).run();
    },

    async addPending(rows) {
      if (rows.length === 0) return;
      const insert = db.prepare("INSERT INTO alert_pending (id, tier, payload, at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
      await db.batch(rows.map((r) => insert.bind(r.id, r.tier, r.payload, r.at)));
    },

    async pendingTiers() {
      const { results } = await db.prepare("SELECT DISTINCT tier FROM alert_pending ORDER BY tier").all<{ tier: string }>();
      return results.map((r) => r.tier);
    },

    async listPending(tier, limit) {
      const { results } = await db.prepare("SELECT id, tier, payload, at FROM alert_pending WHERE tier = ? ORDER BY at, id LIMIT ?").bind(tier, limit).all<PendingAlert>();
      return results;
    },

    async removePending(ids) {
      if (ids.length === 0) return;
      const remove = db.prepare("DELETE FROM alert_pending WHERE id = ?");
      await db.batch(ids.map((id) => remove.bind(id)));
    },
  };
}
