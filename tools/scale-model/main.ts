// `npm run scale-model`: issue 20's scenarios under today's settings and the "after" settings, side by
// side, as Markdown: every rate with the platform limit and the issue's target it is checked against.
import { LIMITS } from "./limits";
import { allRows, maxShare, type Row } from "./model";
import { AFTER, AFTER_GUARD, TODAY, WORKLOAD, type Settings } from "./settings";
import { exponentForTopShare } from "./zipf";

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "never";
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 1) return n.toFixed(1);
  return n.toFixed(2);
}

const mark = (r: Row) => (r.verdict === "ok" ? "" : r.verdict === "OVER LIMIT" ? " ⛔" : " ⚠");

function settingsTable(list: readonly Settings[]): string[] {
  const g = (s: Settings) =>
    s.guard.kind === "fixed"
      ? `every ${s.guard.intervalMs / 1000} s per isolate + each consumer batch`
      : `adaptive: all callers together ≈ ${s.guard.targetPerS}/s (interval ${s.guard.minIntervalMs / 1000}–${s.guard.maxIntervalMs / 1000} s)`;
  return [
    `| setting | ${list.map((s) => s.name).join(" | ")} |`,
    `|---|${list.map(() => "---").join("|")}|`,
    `| queues per route (K) | ${list.map((s) => s.queues).join(" | ")} |`,
    `| dedup shards (S), fullest shard's share of keys | ${list.map((s) => `${s.dedupShards} (${(maxShare(s.dedupShards) * 100).toFixed(2)} %)`).join(" | ")} |`,
    `| guard exchanges | ${list.map(g).join(" | ")} |`,
    `| dead-letter rows per D1 round trip | ${list.map((s) => s.deadLetterRowsPerCall).join(" | ")} |`,
    `| consumer max_batch_size × max_concurrency | ${list.map((s) => `${s.consumer.batchSize} × ${s.consumer.concurrency}`).join(" | ")} |`,
    `| half-open breaker: asks to the object | ${list.map((s) => (s.halfOpenAsk === "per-call" ? "every waiting delivery" : "one per isolate per guard interval, as its refresh")).join(" | ")} |`,
    `| failure reports | ${list.map((s) => (s.failureReports === "each-at-once" ? "each at once" : "at once from ~100 isolates/s, the rest on the guard interval (local view trips alone)")).join(" | ")} |`,
    `| rate-limit leases | ${list.map((s) => (s.rateLeases === "1s" ? "1 s, ≤ 100 tokens" : "~8 s of the isolate's demand, unspent returned")).join(" | ")} |`,
  ];
}

export function render(): string {
  const columns = [TODAY, AFTER, AFTER_GUARD];
  const results = columns.map((s) => allRows(WORKLOAD, s));
  const today = results[0] ?? [];
  const final = results[results.length - 1] ?? [];
  const w = WORKLOAD;
  const lines = [
    `# Scale model: ${w.totalPerS.toLocaleString("en-US")} events/s over ${w.routes} routes (Zipf s = ${exponentForTopShare(w.routes, w.hotPerS / w.totalPerS).toFixed(3)}, hottest route ${w.hotPerS.toLocaleString("en-US")}/s), ${w.isolates.toLocaleString("en-US")} isolates`,
    "",
    ...settingsTable(columns),
    "",
    `Scenarios: steady; outage = the hottest route's endpoint down ${w.outageS / 60} min, then back; burst = ${w.burstFactor}× for ${w.burstS} s; ordered = the hottest route ordered over ${w.orderedKeys.toLocaleString("en-US")} keys. ⛔ above Cloudflare's limit, ⚠ above issue 20's target.`,
    "",
    `| scenario | what | unit | ${columns.map((c) => c.name).join(" | ")} | limit | target | code path (src/) |`,
    `|---|---|---|${columns.map(() => "---:").join("|")}|---:|---:|---|`,
  ];
  today.forEach((t, i) => {
    const cells = results.map((rows) => rows[i]).map((r) => (r === undefined ? "?" : `${fmt(r.value)}${mark(r)}`));
    lines.push(
      `| ${t.scenario} | ${t.what} | ${t.unit} | ${cells.join(" | ")} | ${t.limit === null ? "–" : fmt(t.limit)} | ${t.target === null ? "–" : fmt(t.target)} | ${t.code} |`,
    );
  });
  const over = final.filter((r) => r.verdict !== "ok");
  lines.push(
    "",
    over.length === 0
      ? "Last column: nothing above a limit or a target."
      : `Last column, still above a limit or target: ${over.map((r) => `${r.scenario} / ${r.what} (${fmt(r.value)} ${r.unit})`).join("; ")}.`,
    "",
    "Limits:",
    "",
  );
  for (const limit of Object.values(LIMITS)) lines.push(`- ${limit.value.toLocaleString("en-US")} ${limit.unit}: ${limit.note} (${limit.source})`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) console.log(render());
