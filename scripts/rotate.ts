// `npm run rotate -- <endpoint|source> [--config FILE] [--at ISO]`: prints a new secret in the format
// its scheme expects and the exact steps of a 24-hour overlap scheduled in the config (contract §8).
import { readFileSync } from "node:fs";
import { parseConfig, type Config } from "../src/config/load";
import { activeBindings, type SecretEntry } from "../src/core/secret-window";
import { schemeOf } from "../src/core/signatures";
import { newSecret } from "./lib/dev-vars";

export const OVERLAP_MS = 24 * 3_600_000;
const HOUR = 3_600_000;

export interface RotationPlan {
  kind: "source" | "endpoint";
  /** JSON path of the list to replace. */
  path: string;
  newBinding: string;
  secret: string;
  entries: object[];
  start: number;
  end: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** The binding of the new secret: the current one's base name plus the start date (ROT_SECRET_20260302). */
export function newBindingName(current: readonly string[], name: string, start: number): string {
  const base = (current[0] ?? `${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_SECRET`).replace(/_\d{8}(T\d{4})?$/, "");
  const stamp = iso(start).slice(0, 10).replaceAll("-", "");
  const candidate = `${base}_${stamp}`;
  return current.includes(candidate) ? `${candidate}T${iso(start).slice(11, 16).replace(":", "")}` : candidate;
}

/** Plans the rotation of `name` (an endpoint's signing secrets first, else a source's verification secrets). */
export function planRotation(config: Config, name: string, now: number, random: (standardWebhooks: boolean) => string, at?: number): RotationPlan | string {
  const endpoint = config.endpoints.get(name);
  const source = config.sources.get(name);
  if (endpoint === undefined && source === undefined) return `no endpoint or source named "${name}"`;
  if (endpoint === undefined && source !== undefined && schemeOf(source.verify.scheme).secretFormat === "none") {
    return `source "${name}" uses scheme none: it has no secret to rotate`;
  }
  const entries: readonly SecretEntry[] = endpoint?.signing_secrets ?? source?.verify.secrets ?? [];
  const start = at ?? Math.ceil((now + 1) / HOUR) * HOUR;
  const end = start + OVERLAP_MS;
  const current = activeBindings(entries, start);
  const newBinding = newBindingName(current, name, start);
  const standardWebhooks = endpoint !== undefined || (source !== undefined && schemeOf(source.verify.scheme).secretFormat === "whsec-base64");
  // Keep every entry still useful after the start; retire the ones in use at the start after the overlap.
  const kept = entries
    .filter((e) => e.notAfter === null || e.notAfter > start)
    .map((e) => {
      const notAfter = e.notAfter === null ? end : Math.min(e.notAfter, end);
      return { binding: e.binding, ...(e.notBefore === null ? {} : { not_before: iso(e.notBefore) }), not_after: iso(notAfter) };
    });
  return {
    kind: endpoint !== undefined ? "endpoint" : "source",
    path: endpoint !== undefined ? `endpoints.${name}.signing_secrets` : `sources.${name}.verify.secrets`,
    newBinding,
    secret: random(standardWebhooks),
    entries: [...kept, { binding: newBinding, not_before: iso(start) }],
    start,
    end,
  };
}

export function describePlan(plan: RotationPlan, name: string): string {
  const who =
    plan.kind === "endpoint"
      ? `Give the new secret to the consumer of endpoint "${name}" so it accepts it: from ${iso(plan.start)} to ${iso(plan.end)} every delivery carries both signatures, so it may switch at any moment of that day.`
      : `Give the new secret to the producer of source "${name}": from ${iso(plan.start)} to ${iso(plan.end)} the gateway accepts both, so it may switch at any moment of that day.`;
  return [
    `New secret for ${plan.kind} "${name}" (binding ${plan.newBinding}):`,
    "",
    `  ${plan.secret}`,
    "",
    "Steps (24-hour overlap, scheduled in the config: one deploy, no second one at the switch):",
    `1. npx wrangler secret put ${plan.newBinding}    # paste the secret above`,
    `2. In GATEWAY_CONFIG set ${plan.path} to:`,
    "",
    `   ${JSON.stringify(plan.entries)}`,
    "",
    "   then: npm run config:check <file> && npx wrangler deploy",
    `3. ${who}`,
    `4. After ${iso(plan.end)}: drop the expired entries from ${plan.path} and delete their bindings (npx wrangler secret delete NAME).`,
    "   Until then nothing else is needed: the gateway stops using the old secret at that instant by itself.",
  ].join("\n");
}

function main(): void {
  const args = process.argv.slice(2);
  const name = args.find((a, i) => !a.startsWith("--") && !["--config", "--at"].includes(args[i - 1] ?? ""));
  const option = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (name === undefined) {
    console.error("usage: npm run rotate -- <endpoint|source> [--config FILE] [--at 2026-03-02T00:00:00Z]");
    process.exit(2);
  }
  const file = option("--config") ?? "config/demo.json";
  const parsed = parseConfig(process.env["GATEWAY_CONFIG"] ?? readFileSync(file, "utf8"));
  if (!parsed.ok) {
    console.error(`${file} is invalid:\n  ${parsed.problems.join("\n  ")}`);
    process.exit(1);
  }
  const atText = option("--at");
  const at = atText === undefined ? undefined : Date.parse(atText);
  if (at !== undefined && Number.isNaN(at)) {
    console.error(`--at: not a date-time: ${atText}`);
    process.exit(2);
  }
  const plan = planRotation(parsed.config, name, Date.now(), (sw) => newSecret("", sw), at);
  if (typeof plan === "string") {
    console.error(plan);
    process.exit(1);
  }
  console.log(describePlan(plan, name));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
