// In-memory fallback store (ports/storage FallbackStore): first record per id wins, newest-first paging.
import type { FallbackFilter, FallbackRow, FallbackStore } from "../../ports/storage";
import { isAfter, newestFirst, pageOf } from "../paging";

const keyOf = (row: FallbackRow) => ({ at: row.at, id: row.id });

function matches(row: FallbackRow, filter: FallbackFilter): boolean {
  return (["source", "endpoint", "reason"] as const).every((f) => filter[f] === undefined || filter[f] === row[f]);
}

export function memoryFallbackStore(): FallbackStore {
  const rows = new Map<string, FallbackRow>();
  return {
    async record(row) {
      if (!rows.has(row.id)) rows.set(row.id, { ...row });
    },
    async list({ filter, limit, after }) {
      const found = [...rows.values()]
        .filter((r) => matches(r, filter) && isAfter(keyOf(r), after))
        .sort((a, b) => newestFirst(keyOf(a), keyOf(b)))
        .slice(0, limit + 1)
        .map((r) => ({ ...r }));
      return pageOf(found, limit, keyOf);
    },
  };
}
