// The layer rules of .dependency-cruiser.js on a small fixture tree: each allowed import passes and each
// kind of upward import, circle (type-only included) and unknown folder is reported under its rule.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** One module per file; `imports` are type-only unless the line says otherwise. */
const FIXTURE: Record<string, string> = {
  "src/log.ts": "export const log = (): void => undefined;",
  "src/runtime.ts": 'import { log } from "./log";\nexport interface Runtime { now(): number }\nexport const leafBad = log;',
  "src/env.ts": 'import type { Guard } from "./objects/guard";\nexport interface Env { GUARD: Guard }',
  "src/index.ts": 'import { app } from "./http/app";\nimport type { Env } from "./env";\nexport default { app, env: undefined as Env | undefined };',
  "src/core/a.ts": 'import type { B } from "./b";\nexport type A = B | 1;',
  "src/core/b.ts": "export type B = 2;",
  "src/core/pure-bad.ts":
    'import type { Runtime } from "../runtime";\nimport type { Hono } from "hono";\nimport { DurableObject } from "cloudflare:workers";\nexport type C = Runtime | Hono | DurableObject;',
  "src/core/cycle-1.ts": 'import type { Two } from "./cycle-2";\nexport type One = Two | 1;',
  "src/core/cycle-2.ts": 'import type { One } from "./cycle-1";\nexport type Two = One | 2;',
  "src/config/schema.ts": 'import type { A } from "../core/a";\nimport { log } from "../log";\nexport const schema = { log, a: undefined as A | undefined };',
  "src/config/bad.ts": 'import type { Port } from "../ports/port";\nexport type X = Port;',
  "src/ports/port.ts":
    'import type { A } from "../core/a";\nimport type { Runtime } from "../runtime";\nimport type { schema } from "../config/schema";\nexport interface Port { a: A; r: Runtime; s: typeof schema }',
  "src/ports/bad.ts": 'import type { Store } from "../adapters/store";\nexport type Y = Store;',
  "src/adapters/store.ts": 'import type { Port } from "../ports/port";\nimport { log } from "../log";\nexport class Store { port?: Port; log = log }',
  "src/adapters/bad.ts": 'import type { Guard } from "../objects/guard";\nimport type { Env } from "../env";\nexport type Z = Guard | Env;',
  "src/objects/guard.ts": 'import type { Port } from "../ports/port";\nexport class Guard { port?: Port }',
  "src/objects/bad.ts":
    'import { accept } from "../delivery/accept";\nimport type { Store } from "../adapters/store";\nexport const w = { accept, s: undefined as Store | undefined };',
  "src/delivery/accept.ts": 'import type { Port } from "../ports/port";\nimport type { A } from "../core/a";\nexport const accept = (p: Port): A => p.a;',
  "src/delivery/bad.ts":
    'import type { Store } from "../adapters/store";\nimport type { Guard } from "../objects/guard";\nimport { app } from "../http/app";\nexport const v = { app, s: undefined as Store | Guard | undefined };',
  "src/http/app.ts": 'import { accept } from "../delivery/accept";\nimport type { Port } from "../ports/port";\nexport const app = { accept, p: undefined as Port | undefined };',
  "src/http/bad.ts":
    'import type { Store } from "../adapters/store";\nimport type { Guard } from "../objects/guard";\nimport type { Env } from "../env";\nexport type W = Store | Guard | Env;',
  "src/elsewhere/x.ts": 'import type { A } from "../core/a";\nexport type E = A;',
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let dir = "";
let violations: string[] = [];

function depcruise(cwd: string): Promise<string> {
  const bin = path.join(ROOT, "node_modules/.bin/depcruise");
  const args = ["src", "--config", path.join(ROOT, ".dependency-cruiser.js"), "--output-type", "json"];
  return new Promise((resolve, reject) => {
    // Exit code = number of violations, so a non-zero exit with JSON on stdout is the normal case here.
    execFile(bin, args, { cwd, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (stdout.trim().startsWith("{")) resolve(stdout);
      else reject(new Error(`depcruise failed: ${error?.message ?? ""}\n${stderr}`));
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hookgate-deps-"));
  for (const [file, text] of Object.entries(FIXTURE)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${text}\n`);
  }
  const result = JSON.parse(await depcruise(dir)) as { summary: { violations: Violation[] } };
  violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
}, 60_000);

afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

describe("the layer rules", () => {
  it("let each layer import what sits below it", () => {
    const bad = /^[a-z-]+: src\/(.*bad\.ts|core\/cycle-\d\.ts|elsewhere\/.*|runtime\.ts) /;
    expect(violations.filter((v) => !bad.test(v))).toEqual([]);
  });

  it("report every upward or sideways import, type-only ones included", () => {
    expect(violations.filter((v) => !v.startsWith("no-circular") && !v.startsWith("known-layers-only")).sort()).toEqual(
      [
        "adapters-below-use-cases: src/adapters/bad.ts -> src/env.ts",
        "adapters-below-use-cases: src/adapters/bad.ts -> src/objects/guard.ts",
        "config-imports-only-core: src/config/bad.ts -> src/ports/port.ts",
        "core-imports-only-core: src/core/pure-bad.ts -> src/runtime.ts",
        "core-not-platform: src/core/pure-bad.ts -> cloudflare:workers",
        "core-not-platform: src/core/pure-bad.ts -> hono",
        "delivery-through-ports: src/delivery/bad.ts -> src/adapters/store.ts",
        "delivery-through-ports: src/delivery/bad.ts -> src/http/app.ts",
        "delivery-through-ports: src/delivery/bad.ts -> src/objects/guard.ts",
        "http-through-delivery: src/http/bad.ts -> src/adapters/store.ts",
        "http-through-delivery: src/http/bad.ts -> src/env.ts",
        "http-through-delivery: src/http/bad.ts -> src/objects/guard.ts",
        "leaves-import-nothing: src/runtime.ts -> src/log.ts",
        "objects-below-use-cases: src/objects/bad.ts -> src/adapters/store.ts",
        "objects-below-use-cases: src/objects/bad.ts -> src/delivery/accept.ts",
        "ports-import-only-core-config: src/ports/bad.ts -> src/adapters/store.ts",
      ].sort(),
    );
  });

  it("report a circle made of type-only imports", () => {
    const circles = violations.filter((v) => v.startsWith("no-circular:"));
    expect(circles.length).toBeGreaterThan(0);
    expect(circles.every((v) => /src\/core\/cycle-\d\.ts -> src\/core\/cycle-\d\.ts$/.test(v))).toBe(true);
  });

  it("report a folder of src/ that belongs to no layer", () => {
    expect(violations).toContain("known-layers-only: src/elsewhere/x.ts -> src/core/a.ts");
  });
});
