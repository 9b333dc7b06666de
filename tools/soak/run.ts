// `npm run soak` (not part of npm test): the real gateway bundle on workerd (bench/lib: wrangler's own
// Miniflare, direct sockets, queue consumers on) at a fixed offered rate for SOAK_MINUTES, with the sink
// endpoint failing for SOAK_OUTAGE_S in the middle. Prints rates per window, workerd's RSS trend and the
// ledger (accepted = delivered + dead-lettered). Only 127.0.0.1; everything stops by pid at the end.
import { runMain } from "../../bench/lib/run-main";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unstable_splitSqlQuery } from "wrangler";
import { buildWorker, ROOT } from "../../bench/lib/build";
import { jsonBody, newSecrets, signedSupply } from "../../bench/lib/fixtures";
import { closeAgents, fixedRate, type LoadResult } from "../../bench/lib/load";
import { cpuMs, startWorkerd, type Workerd } from "../../bench/lib/workerd";
import { startConsumer, type Consumer } from "../consumer/server";
import { behaviour, SINK_PATH, soakConfig } from "./config";
import { ledger, trend, type Point } from "./ledger";
import { printReport, type Window } from "./report";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MINUTES = num("SOAK_MINUTES", 20);
const RATE = num("SOAK_RATE", 60);
const OUTAGE_S = num("SOAK_OUTAGE_S", 120);
const WINDOW_S = num("SOAK_WINDOW_S", 10);
const DRAIN_S = num("SOAK_DRAIN_S", 300);
const MAX_BACKLOG = num("SOAK_MAX_BACKLOG", 8000);
const REJECT_SHARE = num("SOAK_REJECT_SHARE", 0.01);
const DEDUP_WINDOW_S = num("SOAK_DEDUP_WINDOW_S", 86_400);
const HARD_LIMIT_MS = (MINUTES * 60 + DRAIN_S + 300) * 1000;

let workerd: Workerd | undefined;
let consumer: Consumer | undefined;
const dirs: string[] = [];

function killNow(): void {
  if (workerd === undefined) return;
  try {
    process.kill(workerd.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function cleanup(): Promise<void> {
  closeAgents();
  const [w, c] = [workerd, consumer];
  workerd = consumer = undefined;
  // Miniflare's dispose can wait forever for a workerd that a signal already ended: give it 5 s, then
  // end workerd by its pid, so the storage directories are always removed.
  if (w !== undefined) {
    await Promise.race([w.stop().catch(() => undefined), sleep(5_000)]);
    try {
      process.kill(w.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await c?.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** VmRSS and its parts (anonymous memory, mapped files, shared memory such as tmpfs-backed SQLite), in MiB. */
function memory(pid: number): { rss: number; anon: number; file: number; shmem: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), shmem: kb("RssShmem") };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "hookgate-soak-"));
  const storage = await mkdtemp(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "hookgate-soak-"));
  dirs.push(work, storage);
  console.error("soak: bundling the gateway (wrangler deploy --dry-run)…");
  const [gateway, floor] = await Promise.all([
    buildWorker(path.join(ROOT, "wrangler.toml"), path.join(work, "gateway")),
    buildWorker(path.join(ROOT, "bench/floor/wrangler.toml"), path.join(work, "floor")),
  ]);

  // The consumer's side of the ledger: 2xx deliveries per idempotency key, and attempt counts.
  const delivered = new Map<string, number>();
  const attempts = { sink: 0, sinkFailed: 0, strict: 0 };
  consumer = await startConsumer({
    keep: false,
    behaviour: behaviour(false),
    onRequest: (r) => {
      const key = r.headers["x-idempotency-key"] ?? "";
      if (r.path.startsWith(SINK_PATH)) {
        attempts.sink++;
        if (r.status >= 200 && r.status < 300) delivered.set(key, (delivered.get(key) ?? 0) + 1);
        else attempts.sinkFailed++;
      } else attempts.strict++;
    },
  });

  const secrets = newSecrets();
  workerd = await startWorkerd({
    persistRoot: storage,
    gatewayScript: gateway.script,
    floorScript: floor.script,
    queueConsumers: true,
    vars: {
      GATEWAY_CONFIG: JSON.stringify(soakConfig(consumer.url, MAX_BACKLOG, DEDUP_WINDOW_S)),
      SOAK_SECRET: secrets.BENCH_SECRET,
      SOAK_SIGNING_SECRET: secrets.BENCH_SIGNING_SECRET,
    },
    floorVars: { UPSTREAM_URL: `${consumer.url}/unused` },
  });
  const migrations = (await readdir(path.join(ROOT, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
  for (const file of migrations) await workerd.migrate(unstable_splitSqlQuery(await readFile(path.join(ROOT, "migrations", file), "utf8")));
  const pid = workerd.pid;
  const gatewayUrl = `${workerd.gatewayUrl}/webhooks/soak`;
  console.error(`soak: workerd ${workerd.version} pid ${pid}; ${MINUTES} min at ${RATE}/s, sink down for ${OUTAGE_S} s in the middle; consumer ${consumer.url}`);

  const accepted = new Set<string>();
  const refused: Record<string, number> = {};
  const onAnswer = (sent: Record<string, string>, status: number) => {
    const key = sent["webhook-id"];
    if (status === 202 && key !== undefined) accepted.add(key);
    else refused[String(status)] = (refused[String(status)] ?? 0) + 1;
  };
  const userBody = jsonBody("user.updated", 1024);
  const auditBody = jsonBody("audit.logged", 1024);
  const totalS = MINUTES * 60;
  const outageFrom = Math.max(0, totalS / 2 - OUTAGE_S / 2);
  const outageTo = outageFrom + OUTAGE_S;
  const windows: Window[] = [];
  const rss: Point[] = [];
  const anon: Point[] = [];
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let failing = false;

  while (elapsed() < totalS) {
    const at = elapsed();
    const shouldFail = at >= outageFrom && at < outageTo;
    if (shouldFail !== failing) {
      failing = shouldFail;
      consumer.setBehaviour(behaviour(failing));
      console.error(`soak: ${at.toFixed(0)} s: sink ${failing ? "DOWN (503)" : "back up"}`);
    }
    const seconds = Math.min(WINDOW_S, totalS - at);
    const [userRate, auditRate] = [RATE * (1 - REJECT_SHARE), RATE * REJECT_SHARE];
    const [users, audits] = await Promise.all([
      signedSupply(secrets.BENCH_SECRET, userBody, Math.ceil(userRate * seconds) + 10),
      signedSupply(secrets.BENCH_SECRET, auditBody, Math.ceil(auditRate * seconds) + 10),
    ]);
    const cpuBefore = cpuMs(pid);
    const t0 = elapsed();
    const spec = (body: Buffer, next: () => Record<string, string>) => ({
      url: gatewayUrl,
      body,
      headers: { "Content-Type": "application/json" },
      next,
      expectStatus: 202,
      onAnswer,
    });
    const results: LoadResult[] = await Promise.all([
      fixedRate(spec(userBody, users), userRate, seconds),
      ...(auditRate * seconds >= 1 ? [fixedRate(spec(auditBody, audits), auditRate, seconds)] : []),
    ]);
    const span = Math.max(0.001, elapsed() - t0);
    const mem = memory(pid);
    rss.push({ x: elapsed(), y: mem.rss });
    anon.push({ x: elapsed(), y: mem.anon });
    const w: Window = {
      atS: t0,
      sinkDown: failing,
      offered: (Math.round(userRate * seconds) + Math.round(auditRate * seconds)) / span,
      acceptedPerS: results.reduce((s, r) => s + (r.statuses["202"] ?? 0), 0) / span,
      p50Ms: results[0]?.p50Ms ?? 0,
      p99Ms: results[0]?.p99Ms ?? 0,
      deliveredTotal: delivered.size,
      rssMiB: mem.rss,
      anonMiB: mem.anon,
      shmemMiB: mem.shmem,
      cpuPct: ((cpuMs(pid) - cpuBefore) / 1000 / span) * 100,
      statuses: results.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
    };
    windows.push(w);
    console.error(
      `soak: ${w.atS.toFixed(0).padStart(5)} s ${failing ? "DOWN" : "up  "} offered ${w.offered.toFixed(0)}/s accepted ${w.acceptedPerS.toFixed(0)}/s p50 ${w.p50Ms.toFixed(0)} p99 ${w.p99Ms.toFixed(0)} ms  delivered ${delivered.size}/${accepted.size}  cpu ${w.cpuPct.toFixed(0)} %  rss ${mem.rss.toFixed(1)} MiB (anon ${mem.anon.toFixed(1)}, file ${mem.file.toFixed(1)}, shmem ${mem.shmem.toFixed(1)})  ${JSON.stringify(w.statuses)}`,
    );
  }
  if (failing) consumer.setBehaviour(behaviour(false));

  // Drain: wait until every accepted event is delivered or dead-lettered (or SOAK_DRAIN_S passed).
  const db = await workerd.db();
  const deadKeys = async () => {
    const rows = await db.prepare("SELECT idempotency_key AS k FROM dead_letters").all<{ k: string | null }>();
    return new Set(rows.results.map((r) => r.k ?? ""));
  };
  const loadEndS = elapsed();
  let dead = await deadKeys();
  while (elapsed() - loadEndS < DRAIN_S) {
    const l = ledger({ accepted, delivered, deadLettered: dead });
    if (l.lost === 0) break;
    await sleep(5000);
    dead = await deadKeys();
    const mem = memory(pid);
    rss.push({ x: elapsed(), y: mem.rss });
    anon.push({ x: elapsed(), y: mem.anon });
    console.error(`soak: draining ${(elapsed() - loadEndS).toFixed(0)} s: ${l.lost} accepted events not settled yet`);
  }
  await sleep(3000); // late repeats would show as duplicates
  dead = await deadKeys();
  const result = ledger({ accepted, delivered, deadLettered: dead });
  const memoryTrend = trend(rss, 120);
  const anonTrend = trend(anon, 120);
  const text = printReport({
    minutes: MINUTES,
    rate: RATE,
    outageS: OUTAGE_S,
    outageFromS: outageFrom,
    windowS: WINDOW_S,
    windows,
    ledger: result,
    memory: memoryTrend,
    anon: anonTrend,
    refused,
    attempts,
    drainS: elapsed() - loadEndS,
    workerdVersion: workerd.version,
  });
  console.log(text);
  const out = process.env["SOAK_JSON"];
  if (out !== undefined && out !== "")
    await writeFile(out, JSON.stringify({ windows, ledger: result, memory: memoryTrend, anon: anonTrend, refused, attempts, rss, anonSamples: anon }, null, 2));
  if (!result.balanced) process.exitCode = 1;
}

const watchdog = setTimeout(() => {
  console.error("soak: over the time limit, stopping");
  killNow();
  process.exit(1);
}, HARD_LIMIT_MS);
process.on("exit", () => {
  killNow();
  // Whatever cut the asynchronous cleanup short, the storage directories go with the process.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
await runMain(main, cleanup, ["SIGINT", "SIGTERM", "SIGHUP"]);
clearTimeout(watchdog);
