// The soak's Markdown report: run settings, rates per minute, the ledger and workerd's memory trend.
import type { Ledger, Trend } from "./ledger";

export interface Window {
  atS: number;
  sinkDown: boolean;
  offered: number;
  acceptedPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Distinct events delivered so far. */
  deliveredTotal: number;
  rssMiB: number;
  /** RssAnon: the heap and other private memory (storage in tmpfs counts as shmem instead). */
  anonMiB: number;
  shmemMiB: number;
  cpuPct: number;
  statuses: Record<string, number>;
}

export interface SoakReport {
  minutes: number;
  rate: number;
  outageS: number;
  outageFromS: number;
  windowS: number;
  windows: readonly Window[];
  ledger: Ledger;
  memory: Trend;
  anon: Trend;
  refused: Record<string, number>;
  attempts: { sink: number; sinkFailed: number; strict: number };
  drainS: number;
  workerdVersion: string;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);

export function printReport(r: SoakReport): string {
  const l = r.ledger;
  const m = r.memory;
  const a = r.anon;
  const up = r.windows.filter((w) => !w.sinkDown);
  const down = r.windows.filter((w) => w.sinkDown);
  const lines = [
    `## Soak: ${r.minutes} min at ${r.rate} events/s offered, sink endpoint down ${r.outageS} s from minute ${f1(r.outageFromS / 60)}`,
    "",
    `workerd ${r.workerdVersion}; every accepted event's idempotency key checked against the consumer's 2xx deliveries and the D1 dead letters.`,
    "",
    "| ledger | events |",
    "|---|---:|",
    `| accepted (202) | ${l.accepted} |`,
    `| delivered (2xx at the sink) | ${l.delivered} |`,
    `| dead-lettered (D1) | ${l.deadLettered} |`,
    `| lost (accepted, neither) | ${l.lost} |`,
    `| delivered twice or more | ${l.duplicates} |`,
    `| both delivered and dead-lettered | ${l.both} |`,
    `| settled without a 202 seen by the client | ${l.unmatched} |`,
    `| **accepted = delivered + dead-lettered, nothing lost, no duplicates** | **${l.balanced ? "yes" : "NO"}** |`,
    "",
    `Refused or failed requests (not accepted, so not in the ledger): ${JSON.stringify(r.refused)}. Sink attempts ${r.attempts.sink} (${r.attempts.sinkFailed} failed), strict-endpoint attempts ${r.attempts.strict}; drain after the load: ${f0(r.drainS)} s.`,
    l.lostSample.length > 0 ? `Lost keys (sample): ${l.lostSample.join(", ")}` : "",
    "",
    "| workerd memory, sampled every window, after a 2-min warm-up | RSS MiB | of which anonymous MiB |",
    "|---|---:|---:|",
    `| first / last sample | ${f1(m.first)} / ${f1(m.last)} | ${f1(a.first)} / ${f1(a.last)} |`,
    `| min / max | ${f1(m.min)} / ${f1(m.max)} | ${f1(a.min)} / ${f1(a.max)} |`,
    `| mean of the first / last third | ${f1(m.firstThird)} / ${f1(m.lastThird)} | ${f1(a.firstThird)} / ${f1(a.lastThird)} |`,
    `| least-squares slope (MiB/min) | ${m.slopePerMin.toFixed(3)} | ${a.slopePerMin.toFixed(3)} |`,
    "",
    "Local Durable Object, D1 and R2 storage live in tmpfs (/dev/shm) and count as shared memory in RSS: the dedup store keeps every key for `dedup_window_s` (24 h unless SOAK_DEDUP_WINDOW_S), so with a long window that part grows with the events accepted by design.",
    "",
    `Rates: sink up ${f0(mean(up.map((w) => w.acceptedPerS)))} accepted/s (workerd CPU ${f0(mean(up.map((w) => w.cpuPct)))} % of one core), sink down ${f0(mean(down.map((w) => w.acceptedPerS)))} accepted/s (CPU ${f0(mean(down.map((w) => w.cpuPct)))} %).`,
    "",
    "| minute | sink down (s) | offered/s | accepted/s | p50 ms | p99 ms | delivered (cumulative) | workerd CPU % | RSS MiB | anon MiB | shmem MiB |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const byMinute = new Map<number, Window[]>();
  for (const w of r.windows) {
    const k = Math.floor(w.atS / 60);
    byMinute.set(k, [...(byMinute.get(k) ?? []), w]);
  }
  for (const [minute, ws] of byMinute) {
    const last = ws[ws.length - 1];
    lines.push(
      `| ${minute} | ${ws.filter((w) => w.sinkDown).length * r.windowS} | ${f0(mean(ws.map((w) => w.offered)))} | ${f0(mean(ws.map((w) => w.acceptedPerS)))} | ${f0(mean(ws.map((w) => w.p50Ms)))} | ${f0(Math.max(...ws.map((w) => w.p99Ms)))} | ${last?.deliveredTotal ?? 0} | ${f0(mean(ws.map((w) => w.cpuPct)))} | ${f1(last?.rssMiB ?? 0)} | ${f1(last?.anonMiB ?? 0)} | ${f1(last?.shmemMiB ?? 0)} |`,
    );
  }
  return lines.filter((line, i, all) => !(line === "" && all[i - 1] === "")).join("\n");
}
