// `npm run config:check [FILE]`: validates a GATEWAY_CONFIG document offline with the Worker's own
// schema and prints the problems (with JSON paths) or a table of the routes. Exit 1 when invalid.
import { readFileSync } from "node:fs";
import { parseConfig, type Config } from "../src/config/load";

export function routeTable(config: Config): string {
  const header = ["route", "source", "mode", "destinations", "timeout", "fallback", "retries", "ordering", "schema"];
  const rows = config.rules.map((r) => [
    r.name,
    r.source ?? "*",
    r.mode,
    r.destinations.map((d) => (d.filter === null ? d.endpoint : `${d.endpoint} (filtered)`)).join(", "),
    r.mode === "sync" ? `${r.effectiveTimeoutMs} ms` : "-",
    r.mode === "sync" ? r.fallback : "-",
    r.mode === "async" || r.fallback !== "none" ? `${r.policy.maxAttempts} attempts [${r.policy.matrix.join(", ")}]` : "-",
    r.ordering_key === undefined ? "-" : `${r.ordering_key} (${r.on_failure})`,
    r.schema ?? "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Every filter of the config, as written, under the rule (and destination) it belongs to. */
export function filterList(config: Config): string {
  const lines: string[] = [];
  for (const r of config.rules) {
    if (r.filter !== null) lines.push(`${r.name}: rule filter ${JSON.stringify(r.filter.json)}`);
    for (const d of r.destinations) if (d.filter !== null) lines.push(`${r.name} → ${d.endpoint}: ${JSON.stringify(d.filter.json)}`);
  }
  return lines.join("\n");
}

function main(): void {
  const file = process.argv[2] ?? "config/demo.json";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`config:check: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const result = parseConfig(text);
  if (!result.ok) {
    console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}`);
    for (const p of result.problems) console.error(`  ${p}`);
    process.exit(1);
  }
  const c = result.config;
  console.log(`${file}: valid — ${c.sources.size} sources, ${c.endpoints.size} endpoints, ${c.rules.length} routing rules\n`);
  console.log(routeTable(c));
  const filters = filterList(c);
  if (filters !== "") console.log(`\nfilters:\n${filters}`);
  const secrets = new Set<string>();
  for (const s of c.sources.values()) s.verify.secrets.forEach((n) => secrets.add(n.binding));
  for (const e of c.endpoints.values()) e.signing_secrets.forEach((n) => secrets.add(n.binding));
  if (secrets.size > 0) console.log(`\nsecret bindings to set (wrangler secret put NAME): ${[...secrets].join(", ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
