// Bundles a Worker exactly as a deploy would (`wrangler deploy --dry-run --outdir`), and reads the
// upload size wrangler prints (`Total Upload: X KiB / gzip: Y KiB`).
import { spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

export interface Bundle {
  /** The bundled entry module. */
  script: string;
  dir: string;
  totalKiB: number;
  gzipKiB: number;
}

export function benchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
}

/** `entry`: bundle this module instead of the config's `main` (same bindings); name it index.ts. */
export function buildWorker(config: string, outDir: string, timeoutMs = 60_000, entry?: string): Promise<Bundle> {
  return new Promise((resolve, reject) => {
    const args = ["deploy", ...(entry === undefined ? [] : [entry]), "--dry-run", "--outdir", outDir, "-c", config];
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: benchEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
      if (code !== 0 || size === null) {
        reject(new Error(`wrangler deploy --dry-run -c ${config} failed (${String(code)}):\n${out.slice(-3000)}`));
        return;
      }
      resolve({ script: path.join(outDir, "index.js"), dir: outDir, totalKiB: Number(size[1]), gzipKiB: Number(size[2]) });
    });
  });
}
