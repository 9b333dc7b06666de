// `npm start`: the whole system locally — local D1 migrations, the demo consumer on :8788 and the
// gateway under `wrangler dev` on :8787 with the demo configuration (or HOOKGATE_CONFIG=file).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { ensureDevVars } from "./lib/dev-vars";

const configFile = process.env["HOOKGATE_CONFIG"] ?? "config/demo.json";
const port = process.env["PORT"] ?? "8787";
const consumerPort = process.env["CONSUMER_PORT"] ?? "8788";
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

const vars = ensureDevVars(configFile);
const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children: ChildProcess[] = [];
function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: "inherit", env, detached: true });
  children.push(child);
  child.on("exit", (code) => stop(code ?? 0));
  return child;
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

if (process.env["HOOKGATE_NO_CONSUMER"] === undefined) {
  start("node", ["--import", "tsx", "tools/consumer/server.ts", "--port", consumerPort, "--secret", vars["DEMO_SIGNING_SECRET"] ?? ""]);
}
start("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", "--show-interactive-dev-session=false"]);

console.log(`
Hookgate is starting:
  gateway   http://127.0.0.1:${port}/webhooks/{source}    (config: ${configFile})
  consumer  http://127.0.0.1:${consumerPort}                (prints each delivery)
  admin     curl -H "Authorization: Bearer $(grep '^ADMIN_TOKEN=' .dev.vars | cut -d"'" -f2)" http://127.0.0.1:${port}/admin/routes
Send signed sample events with:  npm run demo
`);
