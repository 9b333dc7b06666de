// In-memory audit log (ports/audit AuditStore): the D1 semantics for tests and local tools.
import type { AuditEntry, AuditStore } from "../../ports/audit";
import { isAfter, newestFirst, pageOf } from "../paging";

const keyOf = (e: AuditEntry) => ({ at: e.at, id: e.id });

export function memoryAuditStore(): AuditStore {
  let rows: AuditEntry[] = [];
  return {
    async record(entry) {
      if (rows.some((r) => r.id === entry.id)) throw new Error(`audit entry ${entry.id} exists`);
      rows.push({ ...entry });
    },
    async list({ actor, action, since, limit, after }) {
      const found = rows
        .filter((r) => (actor === undefined || r.actor === actor) && (action === undefined || r.action === action) && (since === undefined || r.at >= since))
        .filter((r) => isAfter(keyOf(r), after))
        .sort((a, b) => newestFirst(keyOf(a), keyOf(b)))
        .slice(0, limit + 1)
        .map((r) => ({ ...r }));
      return pageOf(found, limit, keyOf);
    },
    async purgeOlderThan(before, limit) {
      const doomed = new Set(
        rows
          .filter((r) => r.at < before)
          .sort((a, b) => a.at - b.at)
          .slice(0, limit)
          .map((r) => r.id),
      );
      rows = rows.filter((r) => !doomed.has(r.id));
      return doomed.size;
    },
  };
}
