// From the cost worker's raw counters over a window of N events (bench/cost/worker/tally.ts) to the
// billable quantity per event of each meter, applying the sourced constants and the stated
// assumptions of bench/prices.json (bytes per log, storage times) and wrangler.toml's observability
// settings (invocation logs on or off, head sampling of logs and traces).
import { sourced, type PerEvent, type PriceTable } from "./pricing";

export type Raw = Record<string, number>;

/** Σ of the counters named `prefix` or `prefix.*`. */
export function sum(raw: Raw, prefix: string): number {
  let total = 0;
  for (const [name, n] of Object.entries(raw)) if (name === prefix || name.startsWith(`${prefix}.`)) total += n;
  return total;
}

const SECONDS_PER_MONTH = 30 * 86_400;

/** What wrangler.toml's `[observability]` makes Cloudflare record (read by bench/cost.ts). */
export interface Observability {
  /** `[observability.logs] invocation_logs`: one execution log per invocation (default true). */
  invocationLogs: boolean;
  /** Share of invocations whose logs are kept (`head_sampling_rate` of logs; 0 when logs are off). */
  logsSampling: number;
  /** Share of invocations traced (`[observability.traces] head_sampling_rate`; 0 when traces are off). */
  tracesSampling: number;
}

/** Reads the settings from a parsed wrangler config's `observability` (defaults as Cloudflare documents them). */
export function observabilityOf(
  config:
    | {
        enabled?: boolean;
        head_sampling_rate?: number;
        logs?: { enabled?: boolean; head_sampling_rate?: number; invocation_logs?: boolean };
        traces?: { enabled?: boolean; head_sampling_rate?: number };
      }
    | undefined,
): Observability {
  const on = config?.enabled === true;
  const logsOn = on || config?.logs?.enabled === true;
  const tracesOn = config?.traces?.enabled === true;
  return {
    invocationLogs: config?.logs?.invocation_logs ?? true,
    logsSampling: logsOn && config?.logs?.enabled !== false ? (config?.logs?.head_sampling_rate ?? config?.head_sampling_rate ?? 1) : 0,
    tracesSampling: tracesOn ? (config?.traces?.head_sampling_rate ?? 1) : 0,
  };
}

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
export function derive(raw: Raw, events: number, cpuMs: number, table: PriceTable, obs: Observability): Derived {
  const per = (n: number) => n / events;
  const workerRequests = sum(raw, "worker.requests");
  const doRequests = sum(raw, "do.requests");
  const doWallMs = sum(raw, "do.wall_ms");
  const keys = sum(raw, "do.requests.IdempotencyShard.claim") + sum(raw, "do.requests.IdempotencyShard.alias");
  const r2Ops = sum(raw, "r2.class_a") + sum(raw, "r2.class_b") + sum(raw, "r2.deletes");
  // Workers Logs: one execution log per invocation (fetch, queue, and a Durable Object's RPC and alarm
  // invocations) unless invocation logs are off, one event per console line, both head-sampled;
  // trace spans (sampled apart) are observability events too.
  const executionLogs = obs.invocationLogs ? (workerRequests + doRequests) * obs.logsSampling : 0;
  const consoleLines = sum(raw, "logs.lines") * obs.logsSampling;
  const spanSources = workerRequests + doRequests + sum(raw, "queue.send_calls") + sum(raw, "d1.queries") + r2Ops + sum(raw, "subrequests.fetch");
  const traceSpans = spanSources * obs.tracesSampling;
  const ingestBytes =
    executionLogs * sourced(table, "assumptions", "execution_log_bytes") +
    sum(raw, "logs.bytes") * obs.logsSampling +
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
