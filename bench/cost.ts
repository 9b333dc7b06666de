// `npm run cost`: each scenario of bench/cost/scenarios.ts through the real gateway in one workerd
// (deliveries included: queue consumers on), every billable operation counted by the cost worker
// (bench/cost/worker/), × bench/prices.json → $ per million events with the counts behind it.
// Env: COST_EVENTS (events per scenario, default 40), COST_ONLY (comma-separated scenario ids),
// COST_JSON (also write the raw counters there). Not part of `npm test`; takes about 3 minutes.
import { runMain } from "./lib/run-main";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unstable_readConfig, unstable_splitSqlQuery } from "wrangler";
import { buildWorker, ROOT } from "./lib/build";
import { jsonBody, newSecrets, signedPool } from "./lib/fixtures";
import { startUpstream, type Upstream } from "./lib/upstream";
import { cpuMs, startWorkerd, type Workerd } from "./lib/workerd";
import { derive, observabilityOf, type Raw } from "./cost/counts";
import type { PriceTable } from "./cost/pricing";
import { report, type ScenarioResult } from "./cost/report";
import { costConfig, SCENARIOS, type Scenario } from "./cost/scenarios";

const EVENTS = Number(process.env["COST_EVENTS"] ?? 40);
const CONCURRENCY = 8;
const WARMUP = 5;
/** Short, so purge alarms run inside the window; quiet this long (window + margin) means done. */
const DEDUP_WINDOW_S = 2;
const QUIET_MS = (DEDUP_WINDOW_S + 3) * 1000;
const SCENARIO_LIMIT_MS = 180_000;
const PRICING_DAYS: [string, string] = ["2026-11-30", "2026-12-01"];

let workerd: Workerd | undefined;
let upstream: Upstream | undefined;
const dirs: string[] = [];
/** The first error lines workerd printed (shown when a scenario fails). */
const errors: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function counters(reset: boolean): Promise<Raw> {
  if (workerd === undefined) throw new Error("workerd is not running");
  const res = await fetch(`${workerd.gatewayUrl}/__cost${reset ? "?reset=1" : ""}`);
  return (await res.json()) as Raw;
}

/** Counters without the ones that move with the clock alone. */
const signature = (raw: Raw) => JSON.stringify(Object.entries(raw).filter(([k]) => k !== "r2.byte_seconds_pending"));

/** Sends `count` signed events of the scenario, CONCURRENCY at a time; checks every answer's status. */
async function send(scenario: Scenario, secret: string, count: number): Promise<void> {
  if (workerd === undefined) throw new Error("not started");
  const body = jsonBody(scenario.eventType, scenario.bytes);
  const headers = await signedPool(secret, body, count);
  const url = `${workerd.gatewayUrl}/webhooks/bench`;
  const statuses: Record<number, number> = {};
  let sample = "";
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const res = await fetch(url, { method: "POST", headers: { ...headers[i], "Content-Type": "application/json", "X-Event-Type": scenario.eventType }, body });
        const text = await res.text();
        if (res.status !== scenario.status) sample = text.slice(0, 300);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  if ((statuses[scenario.status] ?? 0) !== count)
    throw new Error(`${scenario.id}: expected ${count} × ${scenario.status}, got ${JSON.stringify(statuses)}: ${sample}\n${errors.join("\n")}`);
}

/** Waits until `calls` more upstream calls arrived and no counter moved for QUIET_MS (purge alarms included). */
async function settle(scenario: Scenario, upstreamBefore: number, calls: number): Promise<void> {
  if (upstream === undefined) throw new Error("not started");
  const started = Date.now();
  let last = "";
  let quietSince = Date.now();
  for (;;) {
    const arrived = (await upstream.count()) - upstreamBefore;
    if (Date.now() - started > SCENARIO_LIMIT_MS) throw new Error(`${scenario.id}: not quiet after ${SCENARIO_LIMIT_MS / 1000} s (${arrived} of ${calls} upstream calls)`);
    await sleep(500);
    const now = signature(await counters(false));
    if (now !== last) [last, quietSince] = [now, Date.now()];
    if (arrived >= calls && Date.now() - quietSince >= QUIET_MS) return;
  }
}

async function run(scenario: Scenario, secret: string): Promise<ScenarioResult> {
  if (workerd === undefined || upstream === undefined) throw new Error("not started");
  // Warm-up: the scenario's objects exist and the isolate is warm before the measured window.
  let before = await upstream.count();
  await send(scenario, secret, WARMUP);
  await settle(scenario, before, WARMUP * scenario.upstreamCalls);
  await counters(true);
  before = await upstream.count();
  const cpuBefore = cpuMs(workerd.pid);
  const started = Date.now();
  await send(scenario, secret, EVENTS);
  await settle(scenario, before, EVENTS * scenario.upstreamCalls);
  const cpu = cpuMs(workerd.pid) - cpuBefore;
  const raw = await counters(true);
  const calls = (await upstream.count()) - before;
  console.error(`cost: ${scenario.id.padEnd(11)} ${EVENTS} events, ${calls} upstream calls, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { scenario, events: EVENTS, raw, derived: derive(raw, EVENTS, cpu, table, observability) };
}

const table = JSON.parse(await readFile(path.join(ROOT, "bench/prices.json"), "utf8")) as PriceTable;
/** What Cloudflare records for logs and traces: the deployed wrangler.toml's own `[observability]`. */
const observability = observabilityOf(unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") }).observability);

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "hookgate-cost-"));
  const storage = await mkdtemp(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "hookgate-cost-"));
  dirs.push(work, storage);
  console.error("cost: bundling the gateway with the counting entry (bench/cost/worker)…");
  const bundle = await buildWorker(path.join(ROOT, "wrangler.toml"), path.join(work, "cost"), 90_000, "bench/cost/worker/index.ts");
  upstream = await startUpstream();
  const secrets = newSecrets();
  workerd = await startWorkerd({
    persistRoot: storage,
    gatewayScript: bundle.script,
    vars: { GATEWAY_CONFIG: JSON.stringify(costConfig(upstream.url, DEDUP_WINDOW_S)), ...secrets },
    consumers: true,
    onLine: (line) => {
      if (/"level":"error"|Error/.test(line) && errors.length < 10) errors.push(line.slice(0, 400));
    },
  });
  const migrations = (await readdir(path.join(ROOT, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
  for (const file of migrations) await workerd.migrate(unstable_splitSqlQuery(await readFile(path.join(ROOT, "migrations", file), "utf8")));
  console.error(`cost: workerd ${workerd.version} pid ${workerd.pid}, ${EVENTS} events per scenario`);
  // Every dedup shard as at any real volume (its current key table made, its purge alarm armed), so a
  // trickle of 40 events over 64 shards does not bill each shard's once-per-bucket setup to them.
  await fetch(`${workerd.gatewayUrl}/__cost/warm-dedup?window_ms=${DEDUP_WINDOW_S * 1000}`, { method: "POST" });
  const only = (process.env["COST_ONLY"] ?? "").split(",").filter((id) => id !== "");
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.id))) results.push(await run(scenario, secrets.BENCH_SECRET));
  console.log(report(results, table, PRICING_DAYS, observability));
  const jsonPath = process.env["COST_JSON"];
  if (jsonPath !== undefined && jsonPath !== "") await writeFile(jsonPath, JSON.stringify(results, null, 2));
}

async function cleanup(): Promise<void> {
  const [w, u] = [workerd, upstream];
  workerd = upstream = undefined;
  await w?.stop().catch(() => undefined);
  await u?.stop().catch(() => undefined);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

await runMain(main, cleanup);
