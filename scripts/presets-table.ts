// `npm run presets:table`: prints the README's provider preset table from the scheme registry, or
// with `--write` replaces it in README.md between its markers.
import { readFileSync, writeFileSync } from "node:fs";
import { TABLE_END, TABLE_START, presetsTable } from "./lib/presets-table";

const table = presetsTable();
if (process.argv.includes("--write")) {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1) throw new Error("README.md has no preset table markers");
  writeFileSync("README.md", readme.slice(0, start) + table + readme.slice(end + TABLE_END.length));
} else {
  console.log(table);
}
