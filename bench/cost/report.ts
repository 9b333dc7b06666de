// The Markdown `npm run cost` prints: one row per scenario (operation counts per event, $ per
// million events on each pricing date), the $ split by meter, where the Durable Object work goes,
// and the assumptions behind the numbers.
import { sum, type Derived, type Observability, type Raw } from "./counts";
import { costPerMillion, pricesOn, type Cost, type Meter, type PriceTable } from "./pricing";
import type { Scenario } from "./scenarios";

export interface ScenarioResult {
  scenario: Scenario;
  events: number;
  raw: Raw;
  derived: Derived;
}

const f = (n: number, digits = 2) => (n === 0 ? "0" : n.toFixed(digits));
const usd = (n: number) => `$${n.toFixed(2)}`;

/** The physical floor of a queue-based design: one Worker request and three queue operations per message. */
export function queueFloor(table: PriceTable, day: string): Cost {
  return costPerMillion({ "workers.requests": 1, "queues.operations": 3 }, pricesOn(table, day));
}

export function report(results: ScenarioResult[], table: PriceTable, days: [string, string], obs: Observability): string {
  const [before, after] = days;
  const costs = results.map((r) => [costPerMillion(r.derived.perEvent, pricesOn(table, before)), costPerMillion(r.derived.perEvent, pricesOn(table, after))] as const);
  const out: string[] = [];
  out.push(
    `| scenario | events | Worker req (of which queue) | CPU ms | DO req | DO wall ms | DO rows read / written | queue ops | D1 rows read / written | R2 A / B | AE points | log events (exec + console + spans) | $/M to ${before} | $/M from ${after} |`,
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  results.forEach((r, i) => {
    const o = r.derived.ops;
    const [a, b] = costs[i] ?? [];
    out.push(
      `| ${r.scenario.title} | ${r.events} | ${f(o.workerRequests)} (${f(o.queueInvocations)}) | ${f(o.cpuMs)} | ${f(o.doRequests)} | ${f(o.doWallMs)} | ${f(o.doRowsRead)} / ${f(o.doRowsWritten)} | ${f(o.queueOps)} | ${f(o.d1RowsRead)} / ${f(o.d1RowsWritten)} | ${f(o.r2ClassA)} / ${f(o.r2ClassB)} | ${f(o.aePoints)} | ${f(o.executionLogs + o.consoleLines + o.traceSpans)} (${f(o.executionLogs)} + ${f(o.consoleLines)} + ${f(o.traceSpans)}) | **${usd(a?.usdPerMillionEvents ?? 0)}** | ${usd(b?.usdPerMillionEvents ?? 0)} |`,
    );
  });
  const floor = queueFloor(table, before);
  out.push("", `Queue-based floor (1 Worker request + 3 queue operations per message): ${usd(floor.usdPerMillionEvents)} per million.`, "");
  out.push(`$ per million events by meter (prices to ${before}; from ${after} logs and traces are billed per GB instead):`, "");
  const meters = new Set<Meter>();
  for (const [a, b] of costs) for (const l of [...a.lines, ...b.lines]) if (l.usdPerMillionEvents >= 0.005) meters.add(l.meter);
  out.push(`| scenario | ${[...meters].join(" | ")} |`, `|---|${[...meters].map(() => "---:").join("|")}|`);
  results.forEach((r, i) => {
    const [a, b] = costs[i] ?? [];
    const cell = (m: Meter) => {
      const line = a?.lines.find((l) => l.meter === m) ?? b?.lines.find((l) => l.meter === m);
      return line === undefined ? "–" : usd(line.usdPerMillionEvents);
    };
    out.push(`| ${r.scenario.title} | ${[...meters].map(cell).join(" | ")} |`);
  });
  out.push("", "Durable Object work per event (requests by class.method; SQLite rows read / written by class, setAlarm included in written):", "");
  for (const r of results) out.push(`- ${r.scenario.id}: ${objectDetail(r.raw, r.events)}`);
  out.push("", "SQLite rows written per event, by statement (setAlarm() is billed as one row written):", "");
  for (const r of results) out.push(`- ${r.scenario.id}: ${statements(r.raw, r.events)}`);
  out.push("", "Assumptions:", "");
  for (const line of assumptions(table, obs)) out.push(`- ${line}`);
  return out.join("\n");
}

function objectDetail(raw: Raw, events: number): string {
  const parts: string[] = [];
  for (const [name, n] of Object.entries(raw).sort()) {
    if (name.startsWith("do.requests.")) parts.push(`${name.slice("do.requests.".length)} ${f(n / events)}`);
  }
  const classes = new Set(
    Object.keys(raw)
      .filter((k) => k.startsWith("do.rows_"))
      .map((k) => k.split(".").slice(2).join(".")),
  );
  for (const c of classes) parts.push(`${c} rows ${f(sum(raw, `do.rows_read.${c}`) / events)} / ${f((sum(raw, `do.rows_written.${c}`) + sum(raw, `do.set_alarm.${c}`)) / events)}`);
  return parts.join(", ");
}

function statements(raw: Raw, events: number): string {
  return Object.entries(raw)
    .filter(([name, n]) => name.startsWith("do_sql.written.") && n / events >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${f(n / events)} \`${name.slice("do_sql.written.".length)}\``)
    .join("; ");
}

function assumptions(table: PriceTable, obs: Observability): string[] {
  const a = (name: string) => table.assumptions[name]?.value ?? Number.NaN;
  return [
    "Prices are marginal (beyond the plan's included monthly amounts and the $5 minimum); bench/prices.json cites each one.",
    "Worker requests: the ingress fetch plus queue consumer invocations (billed as requests: our reading of the pricing page) as they happened in this run (batches of up to 10; at volume a batch is full, 0.1 invocation per message).",
    "CPU ms: workerd's process CPU over the scenario divided by events: an upper bound (it includes the Durable Objects, whose CPU is billed as duration instead, and the local queue broker, R2 and D1 simulators).",
    "DO duration: the wall time of each stub call as its caller sees it (alarms: the object's own clock), × 128 MB. Local storage has no replication latency; in production a write waits for durable confirmation, so this is a lower bound for writes.",
    `DO storage: ${a("dedup_key_bytes")} bytes per idempotency key kept ${a("dedup_window_s")} s. Keys are purged by dropping their bucket's table (no row written; once per shard per bucket of at least an hour, so not inside this run), and every dedup shard is warmed first (its bucket table made, its alarm armed), as at any real volume: that setup (3 rows per shard per bucket) is not billed to these events.`,
    "Queue operations: writes at send (64 KB chunks of the envelope, +100 bytes), reads per delivery to the consumer (each retry reads again), deletes per ack.",
    "D1 rows from each result's meta (rows_read / rows_written); R2: put/list = Class A, get/head = Class B, delete free; R2 storage from the time each object lived.",
    `Workers Logs (wrangler.toml [observability]): ${obs.invocationLogs ? "one execution log per invocation (fetch, queue, Durable Object RPC call and alarm)" : "no execution logs (invocation_logs = false)"} and one event per console line, × ${obs.logsSampling} head sampling; trace spans = ${obs.tracesSampling} (traces head_sampling_rate) × (invocations + binding calls + outbound fetches), priced as log events.`,
    `From 2026-12-01 logs and traces are billed per GB ingested (+ 7 days of storage): ${a("execution_log_bytes")} bytes per execution log, console line bytes + ${a("console_log_enrichment_bytes")} bytes of attributes, ${a("trace_span_bytes")} bytes per span (our estimates; Cloudflare publishes none).`,
    "Not counted: the minutely cron (fixed per month, not per event), dead-letter retention deletes (D1, after dlq_retention_hours), Analytics Engine read queries.",
  ];
}
