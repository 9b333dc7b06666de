// The benchmark's printed report (Markdown): the machine, one row per block (medians over the
// measured rounds), the gateway/floor ratios against the targets, and the Node micro-benchmark.
import { readFile } from "node:fs/promises";
import os from "node:os";
import type { Block, BlockId } from "./blocks";
import type { Bundle } from "./build";
import type { LoadResult } from "./load";
import type { MicroResult } from "../micro";
import { fmt, median } from "./stats";
import { acceptBreakdown } from "./breakdown";

export interface Measured extends LoadResult {
  cpuMsPerReq: number;
  workerdCpuPct: number;
  clientCpuPct: number;
  /** workerd's threads runnable but not running (waiting for a CPU), ms per second of the block. */
  runQueueWaitMsPerS?: number;
  /** The same for the load generator and the upstream (one Node process). */
  clientRunQueueWaitMsPerS?: number;
}

export interface ReportInput {
  list: Block[];
  results: Map<BlockId, Measured[]>;
  rate: number;
  micro: MicroResult[];
  gateway: Bundle;
  floor: Bundle;
  rounds: number;
  seconds: number;
  machine: string;
  workerdVersion: string;
  errors: string[];
  upstreamCount: number;
  elapsedS: number;
}

export async function machine(): Promise<string> {
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => "");
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU";
  const shaNi = /\bsha_ni\b/.test(cpuinfo) ? ", SHA-NI" : "";
  return `${os.availableParallelism()} CPUs (nproc), ${model}${shaNi}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, Node ${process.version}`;
}

export function report(r: ReportInput): string {
  const rows = (id: BlockId) => r.results.get(id) ?? [];
  const med = (id: BlockId, f: (m: Measured) => number) => median(rows(id).map(f));
  /** Median over rounds of a per-round comparison of two blocks (same round, so drift cancels). */
  const paired = (a: BlockId, b: BlockId, f: (x: Measured, y: Measured) => number) =>
    median(
      rows(a).flatMap((x, i) => {
        const y = rows(b)[i];
        return y === undefined ? [] : [f(x, y)];
      }),
    );
  const out: string[] = [];
  out.push(`Machine: ${r.machine}; workerd ${r.workerdVersion} (wrangler's own), one process for every Worker.`);
  out.push(`Rounds: 1 warm-up (discarded) + ${r.rounds} measured, alternating order; ${r.seconds} s per saturation block, ${r.seconds + 1} s per fixed-rate block; medians shown.`);
  out.push("");
  out.push("| block | req/s | workerd CPU ms/req | workerd CPU % | p50 ms | p99 ms | client CPU % | unexpected |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const block of r.list) {
    const m = rows(block.id);
    if (m.length === 0) continue;
    const bad = m.reduce((n, x) => n + x.unexpected, 0);
    const mode = block.mode === "rate" ? ` @ ${r.rate}/s` : ` (${block.connections} conns)`;
    out.push(
      `| ${block.title}${mode} | ${fmt(
        med(block.id, (x) => x.rps),
        0,
      )} | ${fmt(
        med(block.id, (x) => x.cpuMsPerReq),
        3,
      )} | ${fmt(
        med(block.id, (x) => x.workerdCpuPct),
        0,
      )} | ${fmt(med(block.id, (x) => x.p50Ms))} | ${fmt(med(block.id, (x) => x.p99Ms))} | ${fmt(
        med(block.id, (x) => x.clientCpuPct),
        0,
      )} | ${bad} |`,
    );
  }
  const cpu = (a: BlockId, b: BlockId) => paired(a, b, (x, y) => x.cpuMsPerReq - y.cpuMsPerReq);
  const rpsRatio = paired("async_1k", "floor_1k", (g, f) => g.rps / f.rps);
  const cpuRatio = paired("async_1k", "floor_1k", (g, f) => g.cpuMsPerReq / f.cpuMsPerReq);
  const p50Delta = paired("sync_rate", "direct_rate", (g, d) => g.p50Ms - d.p50Ms);
  const p99Delta = paired("sync_rate", "direct_rate", (g, d) => g.p99Ms - d.p99Ms);
  // Per MB of body: the 1 MB rejection over the 1 KB one, less the floor's 1 MB over its 1 KB.
  const perMB = (1024 * 1024) / (1024 * 1024 - 1024);
  const slope = (big: BlockId, small: BlockId) => paired(big, small, (x, y) => x.cpuMsPerReq - y.cpuMsPerReq);
  const verifyWorkerd = (slope("reject_1m", "reject_1k") - slope("floor_1m", "floor_1k")) * perMB;
  const verifyDelta = cpu("reject_1m", "floor_1m");
  const nodeVerify = microSlope(r.micro, "wrong signature");
  const nodeValid = microSlope(r.micro, "valid");
  const syncMax = med("sync_max", (x) => x.rps);
  /** "met"/"missed" against a limit; "not run" when a block was left out (BENCH_ONLY). */
  const check = (value: number, limit: number, atLeast = false) => (!Number.isFinite(value) ? "not run" : (atLeast ? value >= limit : value <= limit) ? "met" : "**missed**");
  out.push("");
  out.push("| target (ratios paired per round, then the median) | measured | |");
  out.push("|---|---:|---|");
  out.push(`| async 1 KB req/s ≥ 0.8× floor | ${fmt(rpsRatio)}× | ${check(rpsRatio, 0.8, true)} |`);
  out.push(`| async 1 KB CPU/req ≤ 1.4× floor | ${fmt(cpuRatio)}× | ${check(cpuRatio, 1.4)} |`);
  out.push(`| sync p50 ≤ direct + 1.5 ms (at ${r.rate}/s, ${fmt((r.rate / syncMax) * 100, 0)} % of the sync max) | direct + ${fmt(p50Delta)} ms | ${check(p50Delta, 1.5)} |`);
  out.push(`| sync p99 ≤ direct + 8 ms | direct + ${fmt(p99Delta)} ms | ${check(p99Delta, 8)} |`);
  out.push(`| verify ≤ 1 ms CPU/MB in workerd: (401 1 MB − 401 1 KB) − (floor 1 MB − floor 1 KB) | ${fmt(verifyWorkerd, 3)} ms/MB | ${check(verifyWorkerd, 1)} |`);
  out.push(`| … the same, unpaired: 401 1 MB − floor 1 MB | ${fmt(verifyDelta, 3)} ms | ${check(verifyDelta, 1)} |`);
  out.push(`| verify ≤ 1 ms CPU/MB in Node: verifySignature, wrong signature, 1 MB − 1 KB | ${fmt(nodeVerify, 3)} ms/MB | ${check(nodeVerify, 1)} |`);
  const fanoutRatio = paired("fanout5_1k", "async_1k", (g, f) => g.cpuMsPerReq / f.cpuMsPerReq);
  out.push(`| fan-out: 5-destination accept CPU/req ≤ 1.5× the single-destination accept | ${fmt(fanoutRatio)}× | ${check(fanoutRatio, 1.5)} |`);
  const schemaRatio = paired("schema_1k", "noschema_1k", (s, n) => s.cpuMsPerReq / n.cpuMsPerReq);
  out.push(
    `| signed 1 KB validated against a 30-property schema: CPU/req ≤ 1.1× the same without a schema | ${fmt(schemaRatio)}× (+${fmt(cpu("schema_1k", "noschema_1k"), 3)} ms) | ${check(schemaRatio, 1.1)} |`,
  );
  out.push(`| bundle ≤ 120 KiB gzip | ${fmt(r.gateway.gzipKiB)} KiB (${fmt(r.gateway.totalKiB)} KiB raw; floor ${fmt(r.floor.gzipKiB)} KiB) | ${check(r.gateway.gzipKiB, 120)} |`);
  out.push("");
  out.push("What bounds the 1 KB ratios (workerd CPU ms per request, differences paired per round):");
  out.push(`- one queue send, on this runtime (platform floor + send − floor): ${fmt(cpu("floor_send_1k", "floor_1k"), 3)}`);
  out.push(
    `- a dedup claim in a Durable Object + one queue send (platform floor): ${fmt(cpu("floor_claim_send_1k", "floor_1k"), 3)}; the gateway's async 1 KB is ${fmt(paired("async_1k", "floor_claim_send_1k", (a, b) => a.cpuMsPerReq / b.cpuMsPerReq))}× that floor (req/s ${fmt(paired("async_1k", "floor_claim_send_1k", (a, b) => a.rps / b.rps))}×)`,
  );
  out.push(
    `- the gateway's dedup (key hash, reserve + the deferred own on one of 64 IdempotencyShard objects; unsigned with key − without): ${fmt(cpu("async_1k_open_key", "async_1k_open"), 3)}`,
  );
  out.push(`- the gateway's route + enqueue + request log beyond one queue send (unsigned without key − platform floor + send): ${fmt(cpu("async_1k_open", "floor_send_1k"), 3)}`);
  out.push(`- signature verification of 1 KB (signed − unsigned with key): ${fmt(cpu("async_1k", "async_1k_open_key"), 3)}`);
  out.push(`- async accept of 1 MB over the platform floor of the same work (R2 put + send): ${fmt(cpu("async_1m", "floor_put_1m"), 3)} (verify, body SHA-256, dedup, envelope)`);
  out.push(`- Node: verifySignature of a valid 1 MB event (HMAC + the body's SHA-256 that dedup reuses): ${fmt(nodeValid, 3)} ms/MB`);
  out.push(
    `- sync at ${r.rate}/s: the platform floor (dedup claim + the upstream call) is direct + ${fmt(paired("floor_relay_rate", "direct_rate", (g, d) => g.p50Ms - d.p50Ms))} ms at p50, + ${fmt(paired("floor_relay_rate", "direct_rate", (g, d) => g.p99Ms - d.p99Ms))} ms at p99; the gateway is that floor + ${fmt(paired("sync_rate", "floor_relay_rate", (g, d) => g.p50Ms - d.p50Ms))} ms at p50, + ${fmt(paired("sync_rate", "floor_relay_rate", (g, d) => g.p99Ms - d.p99Ms))} ms at p99 (CPU ${fmt(cpu("sync_rate", "floor_relay_rate"), 3)} ms/req more)`,
  );
  out.push(
    `- event schemas: validating the signed 1 KB event against 30 properties (schema − no schema): ${fmt(cpu("schema_1k", "noschema_1k"), 3)}; refusing it 422 (full error list, per-route counter batched to the endpoint guard) costs ${fmt(
      med("schema_reject_1k", (x) => x.cpuMsPerReq),
      3,
    )} ms CPU/req`,
  );
  out.push(`- the upstream answered ${r.upstreamCount} calls in all (the sync blocks reached it).`);
  out.push(...acceptBreakdown(r.list, r.results, paired));
  out.push("");
  out.push("Node micro-benchmark (CPU per call, all threads):");
  out.push("");
  out.push("| operation | µs/call | ms/MB |");
  out.push("|---|---:|---:|");
  for (const m of r.micro) out.push(`| ${m.name} | ${fmt(m.cpuMs * 1000, 1)} | ${fmt(m.cpuMsPerMB, 3)} |`);
  if (r.errors.length > 0) out.push("", "Worker warnings/errors seen (first 20):", ...r.errors.map((e) => `    ${e}`));
  out.push("", `Whole run: ${fmt(r.elapsedS, 0)} s.`);
  return out.join("\n");
}

/** CPU per MB of verifySignature in Node: the 1 MB call minus the 1 KB call, per MB of difference. */
function microSlope(micro: MicroResult[], variant: string): number {
  const verify = micro.filter((m) => m.name.startsWith("verifySignature") && m.name.includes(variant));
  const small = verify.find((m) => m.bytes < 1024 * 1024);
  const big = verify.find((m) => m.bytes >= 1024 * 1024);
  if (small === undefined || big === undefined) return Number.NaN;
  return ((big.cpuMs - small.cpuMs) * 1024 * 1024) / (big.bytes - small.bytes);
}
