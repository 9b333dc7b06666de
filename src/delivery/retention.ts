// Removing dead letters together with their stored bodies: the scheduled retention purge (bounded
// batches, rows first so no row ever points at a deleted body) and an operator's delete.
import type { Ports } from "../ports";
import { releaseDeletedDeadLetter } from "./ordered";
import { log } from "../log";

/** Rows deleted per statement, and statements per scheduled run (at most 2,000 rows a minute). */
export const PURGE_BATCH = 200;
export const PURGE_MAX_BATCHES = 10;

export interface PurgeReport {
  deleted: number;
  bodies: number;
  /** True when the run stopped at its batch limit with more rows left for the next run. */
  more: boolean;
}

export type PurgeDeps = Pick<Ports, "deadLetters" | "payloads">;

/** Purges dead letters older than `retentionHours` (failed, and last replayed, before the cutoff). */
export async function purgeExpired(deps: PurgeDeps, retentionHours: number, now: number): Promise<PurgeReport> {
  const before = now - retentionHours * 3_600_000;
  const report: PurgeReport = { deleted: 0, bodies: 0, more: false };
  for (let batch = 0; batch < PURGE_MAX_BATCHES; batch++) {
    const { deleted, bodyRefs, shared } = await deps.deadLetters.purgeOlderThan(before, PURGE_BATCH);
    report.deleted += deleted;
    if (bodyRefs.length > 0) {
      await deps.payloads.deleteKeys(bodyRefs);
      report.bodies += bodyRefs.length;
    }
    for (const { key, holder } of shared) await deps.payloads.release(key, holder);
    report.bodies += shared.length;
    if (deleted < PURGE_BATCH) {
      if (report.deleted > 0) log("info", "dead_letters_purged", { deleted: report.deleted, bodies: report.bodies, retention_hours: retentionHours });
      return report;
    }
  }
  report.more = true;
  log("info", "dead_letters_purged", { deleted: report.deleted, bodies: report.bodies, retention_hours: retentionHours, more: true });
  return report;
}

export type DeleteResult = { kind: "deleted" } | { kind: "not_found" } | { kind: "conflict" };

export type DeleteDeps = Pick<Ports, "deadLetters" | "payloads" | "ordering">;

/**
 * An operator's delete. The stored body goes with a `dead` row; a `replayed` row's body belongs to
 * its replay, which deletes it once delivered (or lands on a new row with it if it fails again).
 */
export async function deleteDeadLetterById(deps: DeleteDeps, id: string): Promise<DeleteResult> {
  // An ordered key blocked on this dead letter is released first: if that fails nothing is deleted
  // and the operator can try again, so a key is never left blocked on a row that no longer exists.
  const row = await deps.deadLetters.get(id);
  if (row === null) return { kind: "not_found" };
  if (row.ordering_key !== null && row.status === "dead") await releaseDeletedDeadLetter(deps, row);
  const deleted = await deps.deadLetters.delete(id);
  if (deleted === null) return (await deps.deadLetters.get(id)) === null ? { kind: "not_found" } : { kind: "conflict" };
  if (deleted.body_ref !== null && deleted.status === "dead") await deps.payloads.release(deleted.body_ref, deleted.endpoint);
  log("info", "dead_letter_deleted", { message_id: deleted.id, route: deleted.route, endpoint: deleted.endpoint });
  return { kind: "deleted" };
}
