// Starts the real gateway under `wrangler dev --local` in its own process group, on free 127.0.0.1
// ports, with a given GATEWAY_CONFIG and secrets and a fresh persisted state (D1 migrated first);
// captures the worker's JSON log lines (printed only in a failing test's report); queries local D1;
// stops the whole group.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { freePort, waitFor } from "./wait";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const CONFIG = path.join(ROOT, "wrangler.toml");

export interface GatewayOptions {
  /** The GATEWAY_CONFIG document (an object; passed to the Worker as a JSON string). */
  config: unknown;
  /** Secret bindings by name (source secrets, signing secrets, ADMIN_TOKEN...). */
  secrets?: Record<string, string>;
  /** How long to wait for `GET /health` to answer 200. */
  startTimeoutMs?: number;
}

export interface WorkerLog {
  level: string;
  event: string;
  [field: string]: unknown;
}

export interface Gateway {
  url: string;
  port: number;
  /** The `--persist-to` directory (local D1, DOs, R2 of this run). */
  persistDir: string;
  /** Every output line of wrangler dev so far (ANSI colours removed). */
  lines: string[];
  /** The Worker's structured log lines parsed so far. */
  logs(event?: string): WorkerLog[];
  /** Runs one SQL statement on the local D1 `DB` and returns its rows. */
  d1<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
}

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, "g");

/** Gateways started and not yet stopped, for the failure report of test/e2e/setup.ts. */
const running = new Set<Gateway>();

/** The last `count` output lines of every running gateway, for a failing test's report. */
export function recentGatewayLines(count = 60): string {
  return [...running]
    .map((g) => [`── last ${Math.min(count, g.lines.length)} of ${g.lines.length} lines of the gateway on port ${g.port} ──`, ...g.lines.slice(-count)].join("\n"))
    .join("\n");
}

function baseEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
}

/** Runs a short wrangler command to completion; rejects with its output on a non-zero exit. */
export function runWrangler(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, [...args], { cwd: ROOT, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`wrangler ${args.slice(0, 3).join(" ")} exited ${String(code)}:\n${out}\n${err}`.slice(-4000)));
    });
  });
}

/** A dotenv file wrangler reads with `--env-file`: values single-quoted, so JSON passes verbatim. */
function envFile(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /['\n\r]/.test(value)) throw new Error(`cannot write ${name} to an env file`);
      return `${name}='${value}'\n`;
    })
    .join("");
}

/** Parses a worker log record out of a wrangler output line (info lines bare, warn/error ones prefixed). */
export function parseWorkerLog(line: string): WorkerLog | undefined {
  const start = line.indexOf('{"level"');
  const end = line.lastIndexOf("}");
  if (start < 0 || end < start) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(start, end + 1));
    if (value !== null && typeof value === "object" && "event" in value && "level" in value) return value as WorkerLog;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Bundles the Worker once per run into `dir` (`wrangler deploy --dry-run`): the dev server then runs
 * this snapshot with `--no-bundle`, so edits to src/ during a run do not reload it (a reload drops
 * the local queues' in-flight messages).
 */
async function bundle(dir: string): Promise<string> {
  await runWrangler(["deploy", "--dry-run", "--outdir", dir, "-c", CONFIG]);
  return path.join(dir, "index.js");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(hard);
      resolve();
    };
    child.once("exit", done);
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // the group is already gone
      }
    };
    const hard = setTimeout(() => {
      signal("SIGKILL");
      setTimeout(resolve, 500);
    }, 5_000);
    signal("SIGTERM");
  });
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const work = await mkdtemp(path.join(tmpdir(), "hookgate-e2e-"));
  const persistDir = path.join(work, "state");
  const varsPath = path.join(work, "gateway.env");
  await writeFile(varsPath, envFile({ GATEWAY_CONFIG: JSON.stringify(options.config), ...options.secrets }), { mode: 0o600 });
  const [script] = await Promise.all([bundle(path.join(work, "bundle")), runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir, "-c", CONFIG])]);
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    "dev",
    script,
    "-c",
    CONFIG,
    "--no-bundle",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--env-file",
    varsPath,
    "--show-interactive-dev-session=false",
  ];
  // detached: the child calls setsid(2) and leads its own process group, so workerd dies with it.
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  const killOnExit = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);

  const lines: string[] = [];
  const logs: WorkerLog[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (raw) => {
      const line = raw.replace(ANSI, "");
      lines.push(line);
      const record = parseWorkerLog(line);
      if (record !== undefined) logs.push(record);
    });
  }
  let exited = false;
  child.once("exit", () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    process.off("exit", killOnExit);
    await rm(work, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`wrangler dev exited early:\n${lines.slice(-40).join("\n")}`);
        const res = await fetch(`${url}/health`).catch(() => undefined);
        await res?.body?.cancel();
        return res?.status === 200;
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 100, what: "gateway /health" },
    );
  } catch (error) {
    const early = exited; // its message already holds the output
    await stop();
    if (early) throw error;
    const tail = lines.filter((line) => !line.includes("GET /health")).slice(-40);
    throw new Error(`${errorText(error)}\n── last ${tail.length} lines of wrangler dev (health polls left out) ──\n${tail.join("\n")}`, { cause: error });
  }

  const gateway: Gateway = {
    url,
    port,
    persistDir,
    lines,
    logs: (event) => (event === undefined ? [...logs] : logs.filter((l) => l.event === event)),
    async d1<T>(sql: string): Promise<T[]> {
      const out = await runWrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--json", "--command", sql, "-c", CONFIG]);
      const parsed = JSON.parse(out.slice(out.indexOf("["))) as { results: T[] }[];
      return parsed[0]?.results ?? [];
    },
    async stop() {
      running.delete(gateway);
      await stop();
    },
  };
  running.add(gateway);
  return gateway;
}
