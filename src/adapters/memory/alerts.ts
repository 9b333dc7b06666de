// In-memory alert store (ports/storage AlertStore): one entry per alert key; a claim wins when the
// last firing is at least an interval old; pending alerts wait for their tier's notification.
import type { AlertStore, PendingAlert } from "../../ports/storage";

interface AlertEntry {
  kind: string;
  lastFiredAt: number;
  fireCount: number;
  detail: string;
}

export function memoryAlertStore(): AlertStore {
  const entries = new Map<string, AlertEntry>();
  const pending = new Map<string, PendingAlert>();
  return {
    async claim({ key, kind, detail }, now, intervalMs) {
      const entry = entries.get(key);
      if (entry === undefined) {
        entries.set(key, { kind, lastFiredAt: now, fireCount: 1, detail });
        return true;
      }
      if (entry.lastFiredAt > now - intervalMs) return false;
      entries.set(key, { kind: entry.kind, lastFiredAt: now, fireCount: entry.fireCount + 1, detail });
      return true;
    },
    async backdate(key, claimedAt, firedAt) {
      const entry = entries.get(key);
      if (entry?.lastFiredAt === claimedAt) entry.lastFiredAt = firedAt;
    },
    async addPending(rows) {
      for (const r of rows) if (!pending.has(r.id)) pending.set(r.id, { ...r });
    },
    async pendingTiers() {
      return [...new Set([...pending.values()].map((r) => r.tier))].sort();
    },
    async listPending(tier, limit) {
      return [...pending.values()]
        .filter((r) => r.tier === tier)
        .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async removePending(ids) {
      for (const id of ids) pending.delete(id);
    },
  };
}
