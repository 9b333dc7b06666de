// From the cost worker's raw counters over a window of N events (bench/cost/worker/tally.ts) to the
// billable quantity per event of each meter, applying the sourced constants and the stated
// assumptions of bench/prices.json (logs per invocation, span sampling, storage times).
import { sourced, type PerEvent, type PriceTable } from "./pricing";

export type Raw = Record<string, number>;

/** Σ of the counters named `prefix` or `prefix.*`. */
export function sum(raw: Raw, prefix: string): number {
  let total = 0;
  for (const [name, n] of Object.entries(raw)) if (name === prefix || name.startsWith(`${prefix}.`)) total += n;
  return total;
}

const SECONDS_PER_MONTH = 30 * 86_400;

export interface Derived {
  perEvent: PerEvent;
  /** The operation counts behind the meters, per event (for the table). */
  ops: {
    workerRequests: number;
    queueInvocations: number;
    cpuMs: number;
    doRequests: number;
    doWallMs: number;
    doRowsRead: number;
    doRowsWritten: number;
    queueOps: number;
    d1RowsRead: number;
    d1RowsWritten: number;
    r2ClassA: number;
    r2ClassB: number;
    aePoints: number;
    consoleLines: number;
    executionLogs: number;
    traceSpans: number;
  };
}

/** `raw` counted over `events` events, with `cpuMs` of workerd CPU in the same window. */
export function derive(raw: Raw, events: number, cpuMs: number, table: PriceTable): Derived {
  const per = (n: number) => n / events;
  const workerRequests = sum(raw, "worker.requests");
  const doRequests = sum(raw, "do.requests");
  const doWallMs = sum(raw, "do.wall_ms");
  const keys = sum(raw, "do.requests.IdempotencyShard.claim") + sum(raw, "do.requests.IdempotencyShard.alias");
  const r2Ops = sum(raw, "r2.class_a") + sum(raw, "r2.class_b") + sum(raw, "r2.deletes");
  // Workers Logs: one execution log per invocation (fetch, queue, and a Durable Object's RPC and alarm
  // invocations), one event per console line; trace spans (sampled) are observability events too.
  const executionLogs = workerRequests + doRequests;
  const consoleLines = sum(raw, "logs.lines");
  const spanSources = workerRequests + doRequests + sum(raw, "queue.send_calls") + sum(raw, "d1.queries") + r2Ops + sum(raw, "subrequests.fetch");
  const traceSpans = spanSources * sourced(table, "constants", "trace_head_sampling_rate");
  const ingestBytes =
    executionLogs * sourced(table, "assumptions", "execution_log_bytes") +
    sum(raw, "logs.bytes") +
    consoleLines * sourced(table, "assumptions", "console_log_enrichment_bytes") +
    traceSpans * sourced(table, "assumptions", "trace_span_bytes");
  const ingestGb = ingestBytes / 1e9;
  const ops: Derived["ops"] = {
    workerRequests: per(workerRequests),
    queueInvocations: per(sum(raw, "worker.requests.queue")),
    cpuMs: per(cpuMs),
    doRequests: per(doRequests),
    doWallMs: per(doWallMs),
    doRowsRead: per(sum(raw, "do.rows_read")),
    doRowsWritten: per(sum(raw, "do.rows_written") + sum(raw, "do.set_alarm")),
    queueOps: per(sum(raw, "queue.write_ops") + sum(raw, "queue.read_ops") + sum(raw, "queue.delete_ops")),
    d1RowsRead: per(sum(raw, "d1.rows_read")),
    d1RowsWritten: per(sum(raw, "d1.rows_written")),
    r2ClassA: per(sum(raw, "r2.class_a")),
    r2ClassB: per(sum(raw, "r2.class_b")),
    aePoints: per(sum(raw, "ae.points")),
    consoleLines: per(consoleLines),
    executionLogs: per(executionLogs),
    traceSpans: per(traceSpans),
  };
  const perEvent: PerEvent = {
    "workers.requests": ops.workerRequests,
    "workers.cpu_ms": ops.cpuMs,
    "do.requests": ops.doRequests,
    "do.duration_gb_s": (ops.doWallMs / 1000) * sourced(table, "constants", "do_memory_gb"),
    "do.rows_read": ops.doRowsRead,
    "do.rows_written": ops.doRowsWritten,
    "do.storage_gb_month": (per(keys) * sourced(table, "assumptions", "dedup_key_bytes") * sourced(table, "assumptions", "dedup_window_s")) / 1e9 / SECONDS_PER_MONTH,
    "queues.operations": ops.queueOps,
    "d1.rows_read": ops.d1RowsRead,
    "d1.rows_written": ops.d1RowsWritten,
    "r2.class_a": ops.r2ClassA,
    "r2.class_b": ops.r2ClassB,
    "r2.storage_gb_month": per(sum(raw, "r2.byte_seconds") + sum(raw, "r2.byte_seconds_pending")) / 1e9 / SECONDS_PER_MONTH,
    "ae.data_points": ops.aePoints,
    "logs.events": ops.executionLogs + ops.consoleLines + ops.traceSpans,
    "observability.ingest_gb": per(ingestGb),
    "observability.storage_gb_month": (per(ingestGb) * sourced(table, "constants", "observability_retention_days")) / 30,
  };
  return { perEvent, ops };
}
