// In-memory dead-letter store (ports/storage DeadLetterStore) with the D1 store's semantics: upserts
// by id, newest-first paging, compare-and-swap claims, bounded purges. For tests and local tools.
import type { DeadLetterFilter, DeadLetterRow, DeadLetterStatus, DeadLetterStore, DeadLetterSummary } from "../../ports/storage";
import { DEAD_LETTER_SUMMARY_FIELDS } from "../../ports/storage";
import { checkBatchSize, deadLetterRow, malformedRow, purged } from "../dead-letter-rows";
import { isAfter, newestFirst, pageOf } from "../paging";

const keyOf = (row: { failed_at: number; id: string }) => ({ at: row.failed_at, id: row.id });
const copy = (row: DeadLetterRow): DeadLetterRow => ({ ...row, body: row.body === null ? null : row.body.slice() });

function summary(row: DeadLetterRow): DeadLetterSummary {
  return Object.fromEntries(DEAD_LETTER_SUMMARY_FIELDS.map((f) => [f, row[f]])) as DeadLetterSummary;
}

function matches(row: DeadLetterRow, filter: DeadLetterFilter, statuses: readonly DeadLetterStatus[]): boolean {
  if (!statuses.includes(row.status)) return false;
  return (["message_id", "source", "event_type", "endpoint", "reason", "route"] as const).every((f) => filter[f] === undefined || filter[f] === row[f]);
}

export function memoryDeadLetterStore(): DeadLetterStore {
  const rows = new Map<string, DeadLetterRow>();

  // Every method below changes the map without awaiting in between, so each is atomic like one SQL statement.
  const upsert = (input: Parameters<DeadLetterStore["write"]>[0]): void => {
    const fresh = deadLetterRow(input);
    const old = rows.get(fresh.id);
    if (old === undefined) {
      rows.set(fresh.id, copy(fresh));
      return;
    }
    rows.set(fresh.id, {
      ...old,
      reason: fresh.reason,
      attempts: fresh.attempts,
      last_status: fresh.last_status,
      last_error: fresh.last_error,
      failed_at: fresh.failed_at,
      status: "dead",
      replay_count: Math.max(old.replay_count, fresh.replay_count),
    });
  };

  return {
    async write(input) {
      upsert(input);
    },

    async writeMany(inputs) {
      checkBatchSize(inputs.length);
      for (const input of inputs) upsert(input);
    },

    async writeMalformed(message) {
      const row = malformedRow(message);
      if (!rows.has(row.id)) rows.set(row.id, row);
    },

    async get(id) {
      const row = rows.get(id);
      return row === undefined ? null : copy(row);
    },

    async list({ filter, statuses, limit, after }) {
      const found = [...rows.values()]
        .filter((r) => matches(r, filter, statuses) && isAfter(keyOf(r), after))
        .sort((a, b) => newestFirst(keyOf(a), keyOf(b)))
        .slice(0, limit + 1);
      return pageOf(found.map(summary), limit, keyOf);
    },

    async delete(id) {
      const row = rows.get(id);
      if (row === undefined || row.status === "replaying") return null;
      rows.delete(id);
      return { id: row.id, route: row.route, endpoint: row.endpoint, status: row.status, body_ref: row.body_ref, ordering_key: row.ordering_key };
    },

    async claimForReplay(filter, limit, now) {
      const claimed = [...rows.values()]
        .filter(
          (r) =>
            matches(r, filter, ["dead"]) &&
            r.reason !== "malformed" &&
            (filter.id === undefined || r.id === filter.id) &&
            (filter.maxReplayCount === undefined || r.replay_count < filter.maxReplayCount) &&
            (filter.unorderedOnly !== true || r.ordering_key === null),
        )
        .sort((a, b) => newestFirst(keyOf(a), keyOf(b)))
        .slice(0, limit);
      for (const row of claimed) {
        row.status = "replaying";
        row.claimed_at = now;
      }
      return claimed.map(copy);
    },

    async settleReplays({ replayed, released, at }) {
      for (const id of replayed) {
        const row = rows.get(id);
        if (row === undefined) continue;
        row.replay_count += 1;
        row.replayed_at = at;
        if (row.status === "replaying") row.status = "replayed";
      }
      for (const id of released) {
        const row = rows.get(id);
        if (row?.status === "replaying") row.status = "dead";
      }
    },

    async countWaitingByRoute() {
      const counts = new Map<string, { route: string; endpoint: string; count: number }>();
      for (const row of rows.values()) {
        if (row.status !== "dead") continue;
        const key = JSON.stringify([row.route, row.endpoint]);
        const entry = counts.get(key) ?? { route: row.route, endpoint: row.endpoint, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      return [...counts.values()];
    },

    async purgeOlderThan(before, limit) {
      const doomed = [...rows.values()]
        .filter((r) => r.failed_at < before && (r.replayed_at === null || r.replayed_at < before) && r.status !== "replaying")
        .sort((a, b) => a.failed_at - b.failed_at)
        .slice(0, limit);
      for (const row of doomed) rows.delete(row.id);
      return purged(doomed);
    },

    async releaseStaleClaims(before, limit) {
      const stale = [...rows.values()].filter((r) => r.status === "replaying" && (r.claimed_at === null || r.claimed_at < before)).slice(0, limit);
      for (const row of stale) row.status = "dead";
      return stale.length;
    },
  };
}
