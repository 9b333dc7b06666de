// In-memory silence store (ports/silences): the same semantics as the D1 one, in this isolate only.
import type { Silence, SilenceStore } from "../../ports/silences";

export function memorySilenceStore(): SilenceStore {
  const rows = new Map<string, Silence & { endedAt: number | null }>();
  return {
    async add(s) {
      if (!rows.has(s.id)) rows.set(s.id, { ...s, endedAt: null });
    },
    async listActive(now) {
      return [...rows.values()]
        .filter((r) => r.endedAt === null && r.until > now)
        .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))
        .map(({ endedAt: _ended, ...s }) => s);
    },
    async end(id, now) {
      const row = rows.get(id);
      if (row === undefined || row.endedAt !== null || row.until <= now) return false;
      row.endedAt = now;
      return true;
    },
  };
}
