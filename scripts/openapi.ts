// `npm run openapi`: writes the admin API's OpenAPI document into the assets directory, where the
// Worker serves it from (wrangler.toml [assets]); `--check` fails when the committed file is stale.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { adminOperations, ADMIN_API_VERSION } from "../src/http/admin/app";
import { openApiDocument } from "../src/http/admin/docs/openapi";
import { OPENAPI_ASSET_PATH } from "../src/adapters/assets-documents";

const ROOT = path.join(import.meta.dirname, "..");
const file = path.join(ROOT, "assets", OPENAPI_ASSET_PATH);
const text = `${JSON.stringify(openApiDocument(adminOperations(), ADMIN_API_VERSION))}\n`;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(file, "utf8");
  } catch {
    // missing: stale
  }
  if (committed !== text) {
    console.error(`openapi: ${path.relative(ROOT, file)} is not the document the admin routes declare; run \`npm run openapi\` and commit it`);
    process.exit(1);
  }
} else {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`openapi: wrote ${path.relative(ROOT, file)} (${text.length} bytes)`);
}
