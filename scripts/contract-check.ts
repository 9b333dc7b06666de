// `npm run contract:check`: the repository's copies of the shared documents (docs/contract.md, the
// source document in docs/source/) must equal ../shared beside the clone; skipped when it is absent.
// `-- --write` refreshes the copies. HOOKGATE_SHARED names another shared directory.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SHARED = path.resolve(ROOT, process.env.HOOKGATE_SHARED ?? "../shared");

/** Each copy in the repository and the shared file it follows. */
const COPIES = [
  { copy: "docs/contract.md", shared: "CONTRACT.md" },
  { copy: "docs/source/sync-vs-async-webhooks.txt", shared: "seeds/sync-vs-async-webhooks.txt" },
];

function firstDifference(a: string, b: string): string {
  const left = a.split("\n");
  const right = b.split("\n");
  const at = left.findIndex((line, i) => line !== right[i]);
  const line = at < 0 ? left.length : at;
  return `line ${line + 1}: copy has ${JSON.stringify(left[line] ?? "<end>")}, shared has ${JSON.stringify(right[line] ?? "<end>")}`;
}

function main(): number {
  const rel = path.relative(ROOT, SHARED);
  if (!existsSync(path.join(SHARED, "CONTRACT.md"))) {
    console.log(`contract:check: ${rel} not found beside the clone; skipped`);
    return 0;
  }
  const write = process.argv.includes("--write");
  let stale = 0;
  for (const { copy, shared } of COPIES) {
    const copyPath = path.join(ROOT, copy);
    const sharedPath = path.join(SHARED, shared);
    const want = readFileSync(sharedPath, "utf8");
    const have = existsSync(copyPath) ? readFileSync(copyPath, "utf8") : undefined;
    if (have === want) continue;
    if (write) {
      copyFileSync(sharedPath, copyPath);
      console.log(`contract:check: ${copy} refreshed from ${path.join(rel, shared)}`);
      continue;
    }
    stale++;
    const why = have === undefined ? "missing" : `differs, ${firstDifference(have, want)}`;
    console.error(`contract:check: ${copy} is not a copy of ${path.join(rel, shared)} (${why})`);
  }
  if (stale > 0) {
    console.error("contract:check: refresh with `npm run contract:check -- --write`, then review and commit the change");
    return 1;
  }
  if (!write) console.log(`contract:check: ${COPIES.map((c) => c.copy).join(", ")} match ${rel}`);
  return 0;
}

process.exit(main());
