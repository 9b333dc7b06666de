// `npm run build`: bundles the Worker as a deploy would (`wrangler deploy --dry-run` into dist/) and
// prints one line, the bundle size; wrangler's whole output only when it fails. Fails past the gzip budget.
import path from "node:path";
import { buildWorker, ROOT } from "../bench/lib/build";

/**
 * The bundle's hard limit in `npm test`: BENCHMARKS.md's target, 120 KiB gzip, with every feature in
 * (schemas, 48 signature schemes, Access, the audit log, the console). 115.1 KiB in December 2026
 * (BENCHMARKS.md "The bundle under 120 KiB": zod/mini, no keepNames, the trie router alone, README
 * preset text, the admin OpenAPI document and the admin routes' docs outside the Worker). Cloudflare allows 10 MB; the budget keeps cold starts small.
 */
const GZIP_BUDGET_KIB = 120;

try {
  const bundle = await buildWorker(path.join(ROOT, "wrangler.toml"), path.join(ROOT, "dist"));
  const size = `${bundle.totalKiB} KiB, gzip ${bundle.gzipKiB} KiB (budget ${GZIP_BUDGET_KIB} KiB)`;
  if (bundle.gzipKiB > GZIP_BUDGET_KIB) {
    console.error(`build: bundle over budget: ${size}`);
    process.exit(1);
  }
  console.log(`build: ${path.relative(ROOT, bundle.script)} ${size}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
