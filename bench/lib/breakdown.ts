// The accept path's breakdown (workerd CPU per request, differences of blocks paired per round), the
// issue-19 targets against the claim+send platform floor, and, with BENCH_BASELINE, each gateway
// block before/after: so a regression shows which step it came from.
import type { Block, BlockId } from "./blocks";
import type { Measured } from "./report";
import { fmt, median } from "./stats";

type Paired = (a: BlockId, b: BlockId, f: (x: Measured, y: Measured) => number) => number;

export function acceptBreakdown(list: Block[], results: Map<BlockId, Measured[]>, paired: Paired): string[] {
  const has = (id: BlockId) => (results.get(id)?.length ?? 0) > 0;
  const cpu = (a: BlockId, b: BlockId) => paired(a, b, (x, y) => x.cpuMsPerReq - y.cpuMsPerReq);
  const out: string[] = [];
  const steps: Array<[string, BlockId, BlockId]> = [
    ["a bare Hono Worker reading 1 KB and answering 202 (floor)", "floor_1k", "floor_1k"],
    ["one queue send (platform floor + send − floor)", "floor_send_1k", "floor_1k"],
    ["one dedup claim in a Durable Object (claim+send − send)", "floor_claim_send_1k", "floor_send_1k"],
    ["a second call to that object storing the answer (claim+send+complete − claim+send)", "floor_claim_send_complete_1k", "floor_claim_send_1k"],
    ["the gateway's route, envelope, ids and request log beyond one send (unsigned, no key − send floor)", "async_1k_open", "floor_send_1k"],
    ["the gateway's dedup: key hash, claim, complete (unsigned with key − without)", "async_1k_open_key", "async_1k_open"],
    ["signature verification of 1 KB (signed − unsigned with key)", "async_1k", "async_1k_open_key"],
  ];
  const rows = steps.filter(([, a, b]) => has(a) && has(b));
  if (rows.length > 0) {
    out.push("", "Accept path breakdown (workerd CPU ms per request; each line a paired difference of two blocks):", "");
    out.push("| step | blocks | ms/req |", "|---|---|---:|");
    for (const [what, a, b] of rows) {
      const value = a === b ? median((results.get(a) ?? []).map((m) => m.cpuMsPerReq)) : cpu(a, b);
      out.push(`| ${what} | ${a === b ? a : `${a} − ${b}`} | ${fmt(value, 3)} |`);
    }
  }
  if (has("async_1k") && has("floor_claim_send_1k")) {
    const cpuRatio = paired("async_1k", "floor_claim_send_1k", (g, f) => g.cpuMsPerReq / f.cpuMsPerReq);
    const rpsRatio = paired("async_1k", "floor_claim_send_1k", (g, f) => g.rps / f.rps);
    out.push("", "| target against the claim+send platform floor (issue 19) | measured | |", "|---|---:|---|");
    out.push(`| async signed 1 KB CPU/req ≤ 1.15× | ${fmt(cpuRatio)}× | ${cpuRatio <= 1.15 ? "met" : "**missed**"} |`);
    out.push(`| async signed 1 KB req/s ≥ 0.8× | ${fmt(rpsRatio)}× | ${rpsRatio >= 0.8 ? "met" : "**missed**"} |`);
    if (has("sync_rate") && has("floor_relay_rate")) {
      const p50 = paired("sync_rate", "floor_relay_rate", (g, f) => g.p50Ms - f.p50Ms);
      const p99 = paired("sync_rate", "floor_relay_rate", (g, f) => g.p99Ms - f.p99Ms);
      out.push(`| sync p50 ≤ relay floor + 0.5 ms | floor + ${fmt(p50)} ms | ${p50 <= 0.5 ? "met" : "**missed**"} |`);
      out.push(`| sync p99 ≤ relay floor p99 + 5 ms | floor + ${fmt(p99)} ms | ${p99 <= 5 ? "met" : "**missed**"} |`);
    }
  }
  const waits = list.filter((b) => b.mode === "rate" && has(b.id));
  if (waits.length > 0) {
    out.push("", "Fixed-rate blocks: latency against workerd's time waiting for a CPU (Linux schedstat, all threads; medians over rounds):", "");
    out.push("| block | p50 ms | p99 ms | workerd run-queue wait ms/s | client + upstream run-queue wait ms/s |", "|---|---:|---:|---:|---:|");
    for (const b of waits) {
      const m = (f: (x: Measured) => number) => median((results.get(b.id) ?? []).map(f));
      out.push(
        `| ${b.id} | ${fmt(m((x) => x.p50Ms))} | ${fmt(m((x) => x.p99Ms))} | ${fmt(
          m((x) => x.runQueueWaitMsPerS ?? Number.NaN),
          1,
        )} | ${fmt(
          m((x) => x.clientRunQueueWaitMsPerS ?? Number.NaN),
          1,
        )} |`,
      );
    }
  }
  const twins = list.filter((b) => b.id.startsWith("base_") && has(b.id) && has(b.id.slice("base_".length) as BlockId));
  if (twins.length > 0) {
    out.push("", "This build against the baseline build (BENCH_BASELINE), paired per round:", "");
    out.push("| block | CPU ms/req (this − baseline) | CPU ratio | req/s ratio | Δ p50 ms | Δ p99 ms |", "|---|---:|---:|---:|---:|---:|");
    for (const twin of twins) {
      const id = twin.id.slice("base_".length) as BlockId;
      const r = (f: (x: Measured, y: Measured) => number) => paired(id, twin.id, f);
      out.push(
        `| ${id} | ${fmt(
          r((x, y) => x.cpuMsPerReq - y.cpuMsPerReq),
          3,
        )} | ${fmt(r((x, y) => x.cpuMsPerReq / y.cpuMsPerReq))}× | ${fmt(r((x, y) => x.rps / y.rps))}× | ${fmt(r((x, y) => x.p50Ms - y.p50Ms))} | ${fmt(r((x, y) => x.p99Ms - y.p99Ms))} |`,
      );
    }
  }
  return out;
}
