// In-memory fallback store (ports/storage FallbackStore): first record per id wins, newest-first
// paging, the same state, flag and reconcile-slot semantics as the D1 store.
import { MAX_RECONCILE_REPLAYS, type FallbackFilter, type FallbackStore, type FallbackView } from "../../ports/storage";
import { isAfter, newestFirst, pageOf } from "../paging";

const keyOf = (row: FallbackView) => ({ at: row.at, id: row.id });
const oldestFirst = (a: FallbackView, b: FallbackView) => a.at - b.at || (a.id < b.id ? -1 : 1);

function matches(row: FallbackView, filter: FallbackFilter): boolean {
  if (!(["source", "endpoint", "reason"] as const).every((f) => filter[f] === undefined || filter[f] === row[f])) return false;
  if (filter.state === "unreconciled") return row.state === "waiting" && row.flagged_at !== null;
  return filter.state === undefined || filter.state === row.state;
}

export function memoryFallbackStore(): FallbackStore {
  const rows = new Map<string, FallbackView>();
  return {
    async record(row) {
      if (!rows.has(row.id)) rows.set(row.id, { ...row, state: "waiting", settled_at: null, flagged_at: null, replays: 0, reconciled_at: null, confirmed_at: null });
    },
    async list({ filter, limit, after }) {
      const found = [...rows.values()]
        .filter((r) => matches(r, filter) && isAfter(keyOf(r), after))
        .sort((a, b) => newestFirst(keyOf(a), keyOf(b)))
        .slice(0, limit + 1)
        .map((r) => ({ ...r }));
      return pageOf(found, limit, keyOf);
    },
    async settle(id, state, at) {
      const row = rows.get(id);
      if (row === undefined || row.state === "delivered") return;
      row.state = state;
      row.settled_at = at;
    },
    async flagOverdue(route, before, now, limit) {
      const due = [...rows.values()]
        .filter((r) => r.route === route && r.state === "waiting" && r.flagged_at === null && r.at < before)
        .sort(oldestFirst)
        .slice(0, limit);
      for (const r of due) r.flagged_at = now;
      return due.map((r) => ({ ...r }));
    },
    async reconcileCandidates(endpoint, since, slot, limit) {
      return [...rows.values()]
        .filter((r) => r.endpoint === endpoint && r.at >= since && r.at < slot && r.confirmed_at === null && (r.reconciled_at === null || r.reconciled_at < slot))
        .sort(oldestFirst)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async confirm(ids, slot, at) {
      for (const id of ids) {
        const row = rows.get(id);
        if (row === undefined) continue;
        row.confirmed_at = at;
        row.reconciled_at = slot;
      }
    },
    async claimReconcile(id, slot, countReplay) {
      const row = rows.get(id);
      if (row === undefined || (row.reconciled_at !== null && row.reconciled_at >= slot)) return false;
      if (countReplay && row.replays >= MAX_RECONCILE_REPLAYS) return false;
      row.reconciled_at = slot;
      if (countReplay) row.replays += 1;
      return true;
    },
  };
}
