// Runs the gateway and the floor Worker side by side in one workerd process, through wrangler's own
// Miniflare, each on a direct workerd socket (no wrangler dev proxy, no Miniflare entry worker).
// Also finds that workerd's pid and reads its CPU time from /proc.
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import type { Readable } from "node:stream";
import path from "node:path";
import { ROOT } from "./build";

/** The part of Miniflare's API used here (typed locally: the top-level `miniflare` is another major). */
interface MiniflareInstance {
  ready: Promise<URL>;
  unsafeGetDirectURL(worker: string): Promise<URL>;
  getD1Database(binding: string): Promise<D1Database>;
  dispose(): Promise<void>;
}

interface MiniflareModule {
  Miniflare: new (options: Record<string, unknown>) => MiniflareInstance;
  Log: new (level: number) => object;
  LogLevel: { WARN: number };
}

/** Miniflare as bundled with the pinned wrangler (the one `wrangler dev` runs), not the top-level copy. */
function wranglerRequire(): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve("wrangler"));
}

export interface WorkerdOptions {
  gatewayScript: string;
  /** The floor Worker; without it only the gateway runs (floorUrl is then ""). */
  floorScript?: string;
  /** String bindings of the gateway: GATEWAY_CONFIG and the secrets it names. */
  vars: Record<string, string>;
  /** String bindings of the floor Worker. */
  floorVars?: Record<string, string>;
  /** Keep wrangler.toml's queue consumers, so deliveries run in this workerd (`npm run cost`). */
  consumers?: boolean;
  /** A second gateway bundle (another build, same config and bindings) for paired before/after blocks. */
  baselineScript?: string;
  /** Where local DO, D1 and R2 storage live (a tmpfs directory keeps fsync out of the numbers). */
  persistRoot: string;
  /** Receives every stdout/stderr line of workerd (the gateway's log lines). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Keep wrangler.toml's queue consumers (the soak delivers; the bench measures ingress only). */
  queueConsumers?: boolean;
}

export interface Workerd {
  gatewayUrl: string;
  floorUrl: string;
  /** The baseline gateway's socket, when `baselineScript` was given. */
  baselineUrl?: string;
  pid: number;
  version: string;
  migrate(sql: string[]): Promise<void>;
  /** The gateway's local D1 database (the soak reads its dead letters). */
  db(): Promise<D1Database>;
  stop(): Promise<void>;
}

export async function startWorkerd(options: WorkerdOptions): Promise<Workerd> {
  const { Miniflare, Log, LogLevel } = wranglerRequire()("miniflare") as MiniflareModule;
  const fromConfig = quietly(() => unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml")));
  // No queue consumers: the local broker then answers a send at once and keeps nothing, so the
  // measured CPU is ingress work only, not deliveries running in the same process.
  const { queueConsumers, modulesRules: _rules, ...gatewayOptions } = fromConfig.workerOptions;
  const { modulesRules: _floorRules, ...floorOptions } = quietly(() => unstable_getMiniflareWorkerOptions(path.join(ROOT, "bench/floor/wrangler.toml"))).workerOptions;
  const floorScript = options.floorScript;
  const gatewayWorker = {
    ...gatewayOptions,
    ...(options.consumers === true || options.queueConsumers === true ? { queueConsumers } : {}),
    modules: true,
    bindings: { ...options.vars },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  const baseline =
    options.baselineScript === undefined ? [] : [{ ...gatewayWorker, name: "baseline", scriptPath: options.baselineScript, modulesRoot: path.dirname(options.baselineScript) }];
  const before = childPids("workerd");
  const mf = new Miniflare({
    log: new Log(LogLevel.WARN),
    logRequests: false,
    cf: false,
    defaultPersistRoot: options.persistRoot,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const [stream, name] of [
        [stdout, "stdout"],
        [stderr, "stderr"],
      ] as const) {
        let rest = "";
        stream.on("data", (chunk: Buffer) => {
          const lines = (rest + chunk.toString()).split("\n");
          rest = lines.pop() ?? "";
          for (const line of lines) options.onLine?.(line, name);
        });
      }
    },
    workers: [
      { ...gatewayWorker, name: "hookgate", scriptPath: options.gatewayScript, modulesRoot: path.dirname(options.gatewayScript) },
      ...baseline,
      ...(floorScript === undefined
        ? []
        : [
            {
              ...floorOptions,
              name: "floor",
              bindings: { ...options.floorVars },
              modules: true,
              scriptPath: floorScript,
              modulesRoot: path.dirname(floorScript),
              unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
            },
          ]),
    ],
  });
  try {
    await mf.ready;
    const gatewayUrl = (await mf.unsafeGetDirectURL("hookgate")).origin;
    const floorUrl = floorScript === undefined ? "" : (await mf.unsafeGetDirectURL("floor")).origin;
    const baselineUrl = baseline.length === 0 ? undefined : (await mf.unsafeGetDirectURL("baseline")).origin;
    const pid = childPids("workerd").find((p) => !before.includes(p));
    if (pid === undefined) throw new Error("workerd process not found among this process's children");
    const version = readFileSync(wranglerRequire().resolve("workerd/package.json"), "utf8");
    return {
      gatewayUrl,
      floorUrl,
      ...(baselineUrl === undefined ? {} : { baselineUrl }),
      pid,
      version: (JSON.parse(version) as { version: string }).version,
      async migrate(statements) {
        const db = await mf.getD1Database("DB");
        for (const sql of statements) await db.prepare(sql).run();
      },
      db: () => mf.getD1Database("DB"),
      stop: () => mf.dispose(),
    };
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw error;
  }
}

/** Runs `fn` with wrangler's logger at warn level (it announces a local .dev.vars on stdout otherwise). */
function quietly<T>(fn: () => T): T {
  const before = process.env["WRANGLER_LOG"];
  process.env["WRANGLER_LOG"] = "warn";
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env["WRANGLER_LOG"];
    else process.env["WRANGLER_LOG"] = before;
  }
}

/** Pids of this process's direct children whose command name is `name`. */
export function childPids(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (stat.ppid === process.pid && stat.comm === name) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

interface Stat {
  comm: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

function parseStat(text: string): Stat {
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  // Fields after the command: state(3) ppid(4) ... utime(14) stime(15); index 0 here is field 3.
  const fields = text.slice(close + 2).split(" ");
  return { comm, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** CLK_TCK on Linux x86-64 (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  return (parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).cpuTicks * 1000) / TICKS_PER_SECOND;
}

/**
 * Time the process's threads have spent runnable but waiting for a CPU (Linux schedstat, all threads),
 * in milliseconds: on a shared machine, latency stalls that are scheduling delay show up here.
 */
export function runQueueWaitMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[1] ?? 0);
    } catch {
      // the thread ended while we looked
    }
  }
  return ns / 1e6;
}
