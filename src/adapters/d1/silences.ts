// D1 silence store (ports/silences): one row per silence; ending one sets ended_at, so the history
// stays for audits. Schema: migrations/0006_operations.sql, docs/storage.md.
import type { EndpointScope } from "../../core/maintenance";
import type { Silence, SilenceStore } from "../../ports/silences";

interface SilenceRow {
  id: string;
  endpoints: string;
  until: number;
  reason: string | null;
  created_at: number;
}

function scopeOf(text: string): EndpointScope {
  if (text === "*") return "*";
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string") : [];
}

export function d1SilenceStore(db: D1Database): SilenceStore {
  return {
    async add(s) {
      await db
        .prepare("INSERT INTO silences (id, endpoints, until, reason, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")
        .bind(s.id, s.endpoints === "*" ? "*" : JSON.stringify(s.endpoints), s.until, s.reason, s.created_at)
        .run();
    },
    async listActive(now) {
      const { results } = await db
        .prepare("SELECT id, endpoints, until, reason, created_at FROM silences WHERE ended_at IS NULL AND until > ? ORDER BY created_at DESC, id DESC LIMIT 500")
        .bind(now)
        .all<SilenceRow>();
      return results.map((r): Silence => ({ ...r, endpoints: scopeOf(r.endpoints) }));
    },
    async end(id, now) {
      const row = await db.prepare("UPDATE silences SET ended_at = ? WHERE id = ? AND ended_at IS NULL AND until > ? RETURNING id").bind(now, id, now).first<{ id: string }>();
      return row !== null;
    },
  };
}
