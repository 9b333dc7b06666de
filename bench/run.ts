// `npm run bench`: the gateway against the runtime's own floor, side by side in one run on one
// workerd. Builds both Workers like a deploy, runs every block in alternating rounds (the first one
// a discarded warm-up), reads workerd's CPU time around each block, prints medians and ratios.
// Env: BENCH_ROUNDS (measured rounds, default 3), BENCH_SECONDS (per saturation block, default 3;
// fixed-rate blocks run 2 s longer),
// BENCH_ONLY (comma-separated block ids, for a quick A/B of a few blocks), BENCH_JSON (write the raw
// results there too), BENCH_BASELINE (another checkout of the gateway: its build runs in the same
// workerd and every gateway block gets a `base_` twin, paired per round: before/after in one run).
import { runMain } from "./lib/run-main";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { existsSync } from "node:fs";
import path from "node:path";
import { unstable_splitSqlQuery } from "wrangler";
import { buildWorker, ROOT } from "./lib/build";
import { blocks, type Block, type BlockId } from "./lib/blocks";
import { benchConfig, newSecrets } from "./lib/fixtures";
import { closeAgents, fixedRate, saturate, type LoadResult } from "./lib/load";
import { machine, report, type Measured } from "./lib/report";
import { startUpstream, type Upstream } from "./lib/upstream";
import { cpuMs, runQueueWaitMs, startWorkerd, type Workerd } from "./lib/workerd";
import { microBenchmarks } from "./micro";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
/** A safety net only: the default run takes about 4 minutes. */
const HARD_LIMIT_MS = (3 + (ROUNDS + 1) * 1.5 * Math.max(1, SECONDS / 3)) * 60_000;

let workerd: Workerd | undefined;
let upstream: Upstream | undefined;
let work: string | undefined;
let storage: string | undefined;

async function cleanup(): Promise<void> {
  closeAgents();
  const [w, u, dirs] = [workerd, upstream, [work, storage]];
  workerd = upstream = work = storage = undefined;
  await w?.stop().catch(() => undefined);
  await u?.stop().catch(() => undefined);
  for (const dir of dirs) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

function killNow(): void {
  if (workerd === undefined) return;
  try {
    process.kill(workerd.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(block: Block, rate: number, expected: number): Promise<Measured> {
  if (workerd === undefined) throw new Error("workerd is not running");
  const spec = await block.spec(expected);
  const cpuBefore = cpuMs(workerd.pid);
  const waitBefore = runQueueWaitMs(workerd.pid);
  const clientWaitBefore = runQueueWaitMs(process.pid);
  const clientBefore = process.cpuUsage();
  const result: LoadResult = block.mode === "saturate" ? await saturate(spec, block.connections, SECONDS) : await fixedRate(spec, rate, SECONDS + 2);
  await sleep(200); // let waitUntil work of the last answers finish inside the measured window
  const cpu = cpuMs(workerd.pid) - cpuBefore;
  const waited = runQueueWaitMs(workerd.pid) - waitBefore;
  const clientWaited = runQueueWaitMs(process.pid) - clientWaitBefore;
  const client = process.cpuUsage(clientBefore);
  return {
    ...result,
    cpuMsPerReq: cpu / Math.max(1, result.completed),
    workerdCpuPct: (cpu / 1000 / result.seconds) * 100,
    clientCpuPct: ((client.user + client.system) / 1e6 / result.seconds) * 100,
    runQueueWaitMsPerS: waited / result.seconds,
    clientRunQueueWaitMsPerS: clientWaited / result.seconds,
  };
}

async function sanity(list: Block[]): Promise<void> {
  for (const block of list) {
    const spec = await block.spec(1);
    const res = await fetch(spec.url, { method: "POST", headers: { ...spec.headers, ...spec.next?.() }, body: spec.body });
    const text = await res.text();
    if (res.status !== spec.expectStatus) throw new Error(`sanity check of ${block.id}: expected ${spec.expectStatus}, got ${res.status} ${text.slice(0, 300)}`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  work = await mkdtemp(path.join(tmpdir(), "hookgate-bench-"));
  console.error("bench: bundling the gateway and the floor (wrangler deploy --dry-run)…");
  const baselineRoot = process.env["BENCH_BASELINE"];
  const [gateway, floor, baseline] = await Promise.all([
    buildWorker(path.join(ROOT, "wrangler.toml"), path.join(work, "gateway")),
    buildWorker(path.join(ROOT, "bench/floor/wrangler.toml"), path.join(work, "floor")),
    baselineRoot === undefined || baselineRoot === "" ? undefined : buildWorker(path.join(path.resolve(baselineRoot), "wrangler.toml"), path.join(work, "baseline")),
  ]);
  console.error("bench: micro-benchmark of verifySignature in Node…");
  const micro = await microBenchmarks();

  upstream = await startUpstream();
  const secrets = newSecrets();
  const errors: string[] = [];
  storage = await mkdtemp(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "hookgate-bench-"));
  workerd = await startWorkerd({
    persistRoot: storage,
    gatewayScript: gateway.script,
    floorScript: floor.script,
    ...(baseline === undefined ? {} : { baselineScript: baseline.script }),
    vars: { GATEWAY_CONFIG: JSON.stringify(benchConfig(upstream.url)), ...secrets },
    floorVars: { UPSTREAM_URL: `${upstream.url}/authorize` },
    onLine: (line) => {
      if (/"level":"(error|warn)"|Error/.test(line) && errors.length < 20) errors.push(line.slice(0, 400));
    },
  });
  const migrations = (await readdir(path.join(ROOT, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
  for (const file of migrations) await workerd.migrate(unstable_splitSqlQuery(await readFile(path.join(ROOT, "migrations", file), "utf8")));
  console.error(`bench: workerd ${workerd.version} pid ${workerd.pid}; gateway ${workerd.gatewayUrl}, floor ${workerd.floorUrl}, upstream ${upstream.url}`);

  const only = (process.env["BENCH_ONLY"] ?? "").split(",").filter((id) => id !== "");
  const targets = { gatewayUrl: workerd.gatewayUrl, floorUrl: workerd.floorUrl, upstreamUrl: upstream.url, secret: secrets.BENCH_SECRET };
  const list = blocks(workerd.baselineUrl === undefined ? targets : { ...targets, baselineUrl: workerd.baselineUrl }).filter(
    (b) => only.length === 0 || only.includes(b.id) || (b.id === "sync_max" && only.some((id) => id.endsWith("_rate"))),
  );
  await sanity(list);

  const results = new Map<BlockId, Measured[]>();
  const lastCount = new Map<BlockId, number>();
  let rate = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 === 0 ? list : [...list].reverse();
    for (const block of round === 0 ? list : order) {
      const m = await measure(block, rate, Math.ceil((lastCount.get(block.id) ?? 500) * 1.3));
      lastCount.set(block.id, m.completed);
      if (block.id === "sync_max" && round === 0) rate = Math.max(10, Math.round(m.rps / 2 / 10) * 10);
      const tag = round === 0 ? "warm-up" : `round ${round}/${ROUNDS}`;
      console.error(
        `bench: ${tag} ${block.id.padEnd(18)} ${m.rps.toFixed(0).padStart(6)} req/s  ${m.cpuMsPerReq.toFixed(3)} ms CPU/req  p50 ${m.p50Ms.toFixed(2)} p99 ${m.p99Ms.toFixed(2)} ms${m.unexpected > 0 ? `  UNEXPECTED ${m.unexpected} ${JSON.stringify(m.statuses)}` : ""}`,
      );
      if (round > 0) results.set(block.id, [...(results.get(block.id) ?? []), m]);
    }
  }
  const upstreamCount = await upstream.count();
  const text = report({
    list,
    results,
    rate,
    micro,
    gateway,
    floor,
    rounds: ROUNDS,
    seconds: SECONDS,
    machine: await machine(),
    workerdVersion: workerd.version,
    errors,
    upstreamCount,
    elapsedS: (Date.now() - started) / 1000,
  });
  console.log(text);
  const jsonPath = process.env["BENCH_JSON"];
  if (jsonPath !== undefined && jsonPath !== "") await writeFile(jsonPath, JSON.stringify({ rate, micro, gateway, results: Object.fromEntries(results) }, null, 2));
}

const watchdog = setTimeout(() => {
  console.error("bench: over the time limit, stopping");
  killNow();
  process.exit(1);
}, HARD_LIMIT_MS);
process.on("exit", killNow);
await runMain(main, cleanup);
clearTimeout(watchdog);
