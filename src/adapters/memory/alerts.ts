// In-memory alert store (ports/storage AlertStore): one entry per alert key; a claim wins when the
// last firing is at least an interval old.
import type { AlertStore } from "../../ports/storage";

interface AlertEntry {
  kind: string;
  lastFiredAt: number;
  fireCount: number;
  detail: string;
}

export function memoryAlertStore(): AlertStore {
  const entries = new Map<string, AlertEntry>();
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
  };
}
