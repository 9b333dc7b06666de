// The audit log's retention: entries older than dlq_retention_hours are purged by the scheduled
// handler in bounded batches, like dead letters.
import type { Ports } from "../ports";
import { log } from "../log";
import { PURGE_BATCH, PURGE_MAX_BATCHES } from "./retention";

/** Deletes audit entries older than `retentionHours`; returns how many. */
export async function purgeAudit(deps: Pick<Ports, "audit">, retentionHours: number, now: number): Promise<number> {
  const before = now - retentionHours * 3_600_000;
  let deleted = 0;
  for (let batch = 0; batch < PURGE_MAX_BATCHES; batch++) {
    const n = await deps.audit.purgeOlderThan(before, PURGE_BATCH);
    deleted += n;
    if (n < PURGE_BATCH) break;
  }
  if (deleted > 0) log("info", "audit_purged", { deleted, retention_hours: retentionHours });
  return deleted;
}
