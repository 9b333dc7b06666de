// `npm run rotate` (scripts/rotate.ts): the plan it prints — a secret in the scheme's format, a new
// binding, and the entries of a 24-hour overlap that load in the config and switch at the right instants.
import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/load";
import { activeBindings } from "../../src/core/secret-window";
import { describePlan, planRotation, type RotationPlan } from "../../scripts/rotate";
import { newSecret } from "../../scripts/lib/dev-vars";

const NOW = Date.parse("2026-03-01T10:20:00Z");
const raw = {
  sources: {
    acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"] } },
    legacy: { verify: { scheme: "hmac-sha256-hex", secrets: ["LEGACY_SECRET"] } },
    open: { verify: { scheme: "none" } },
  },
  endpoints: { payments: { url: "https://pay.example.com/hooks", signing_secrets: ["PAY_SIGNING"] } },
  routing_rules: [{ event_type: "*", mode: "async", endpoint: "payments" }],
};
function load(doc: unknown): Config {
  const r = parseConfig(doc);
  if (!r.ok) throw new Error(r.problems.join("; "));
  return r.config;
}
function plan(name: string): RotationPlan {
  const p = planRotation(load(raw), name, NOW, (sw) => newSecret("", sw));
  if (typeof p === "string") throw new Error(p);
  return p;
}

describe("npm run rotate", () => {
  it("plans an endpoint's signing rotation from the next full hour with a 24 h overlap", () => {
    const p = plan("payments");
    expect(p.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(p.newBinding).toBe("PAY_SIGNING_20260301");
    expect(p.entries).toEqual([
      { binding: "PAY_SIGNING", not_after: "2026-03-02T11:00:00Z" },
      { binding: "PAY_SIGNING_20260301", not_before: "2026-03-01T11:00:00Z" },
    ]);
    const text = describePlan(p, "payments");
    expect(text).toContain("npx wrangler secret put PAY_SIGNING_20260301");
    expect(text).toContain('endpoints.payments.signing_secrets to:\n\n   [{"binding":"PAY_SIGNING","not_after":"2026-03-02T11:00:00Z"}');
  });

  it("prints the secret in each source scheme's format", () => {
    expect(plan("acme").secret).toMatch(/^whsec_/);
    expect(plan("legacy").secret).toMatch(/^[0-9a-f]{48}$/);
    expect(planRotation(load(raw), "open", NOW, () => "x")).toBe('source "open" uses scheme none: it has no secret to rotate');
    expect(planRotation(load(raw), "nobody", NOW, () => "x")).toBe('no endpoint or source named "nobody"');
  });

  it("gives entries that load and switch at not_before / not_after", () => {
    const p = plan("acme");
    const config = load({ ...raw, sources: { ...raw.sources, acme: { verify: { scheme: "standard-webhooks", secrets: p.entries } } } });
    const entries = config.sources.get("acme")?.verify.secrets ?? [];
    expect(activeBindings(entries, p.start - 1)).toEqual(["ACME_SECRET"]);
    expect(activeBindings(entries, p.start)).toEqual(["ACME_SECRET", "ACME_SECRET_20260301"]);
    expect(activeBindings(entries, p.end - 1)).toEqual(["ACME_SECRET", "ACME_SECRET_20260301"]);
    expect(activeBindings(entries, p.end)).toEqual(["ACME_SECRET_20260301"]);
  });

  it("refuses a window that ends before it starts, with its path", () => {
    const bad = {
      ...raw,
      endpoints: { payments: { url: "https://pay.example.com/hooks", signing_secrets: [{ binding: "X", not_before: "2026-03-02T00:00:00Z", not_after: "2026-03-01T00:00:00Z" }] } },
    };
    const r = parseConfig(bad);
    expect(r.ok ? [] : r.problems).toEqual(["endpoints.payments.signing_secrets[0].not_after: not_before must be earlier than not_after"]);
  });
});
