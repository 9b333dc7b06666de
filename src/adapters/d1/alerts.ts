// D1 alert store (ports/storage AlertStore): one row per alert condition; a firing is claimed by a
// compare-and-swap upsert, so overlapping scheduled runs and isolates fire a condition once per interval.
import type { AlertStore } from "../../ports/storage";

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
  };
}
