// SSRF guard at config load (docs/contract.md §1): with allow_private_networks false, an endpoint URL in any
// blocked form makes the whole document invalid, with one problem at `endpoints.<name>.url`.
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/load";

/** Every blocked form the Protection issue lists, with a fragment of the reason it must give. */
const BLOCKED: ReadonlyArray<readonly [url: string, reason: string]> = [
  ["https://localhost/hook", "special-use"],
  ["https://127.0.0.1/hook", "loopback"],
  ["https://127.1/hook", "loopback"],
  ["https://2130706433/hook", "loopback"],
  ["https://0x7f000001/hook", "loopback"],
  ["https://0177.0.0.1/hook", "loopback"],
  ["https://[::1]/hook", "loopback"],
  ["https://[::ffff:127.0.0.1]/hook", "loopback"],
  ["https://[fd00::1]/hook", "unique-local"],
  ["https://[fe80::1]/hook", "link-local"],
  ["https://169.254.169.254/latest/meta-data/", "link-local"],
  ["https://100.64.0.1/hook", "CGNAT"],
  ["https://10.0.0.1/hook", "private"],
  ["https://172.16.0.1/hook", "private"],
  ["https://192.168.1.1/hook", "private"],
  ["https://0.0.0.0/hook", "this network"],
  ["http://hooks.example.com/hook", "scheme"],
  ["https://deploy:hunter2pw@hooks.example.com/hook", "credentials"],
  ["https://hooks.example.com:22/hook", "port 22"],
  ["https://foo.localhost/hook", "special-use"],
  ["https://metadata.google.internal/computeMetadata/v1/", "special-use"],
];

const PUBLIC_URL = "https://hooks.example.com/hook";

function document(urls: Record<string, string>, allowPrivateNetworks = false) {
  return {
    allow_private_networks: allowPrivateNetworks,
    sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"] } } },
    endpoints: Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { url }])),
    routing_rules: Object.keys(urls).map((name) => ({ event_type: `${name}.*`, mode: "async", endpoint: name })),
  };
}

function problemsOf(raw: unknown): string[] {
  const result = parseConfig(raw);
  if (result.ok) throw new Error("expected the config to be refused");
  return result.problems;
}

describe("endpoint URLs at config load, allow_private_networks false", () => {
  it("accepts the same document with a public https URL (the control case)", () => {
    expect(parseConfig(document({ payments: PUBLIC_URL })).ok).toBe(true);
  });

  it.each(BLOCKED)("refuses %s with one problem at endpoints.payments.url", (url, reason) => {
    const problems = problemsOf(document({ payments: url }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^endpoints\.payments\.url: \S/);
    expect(problems[0]).toContain(reason);
  });

  it.each(BLOCKED)("refuses %s through loadConfig, in both binding forms (object and JSON string)", (url) => {
    const raw = document({ payments: url });
    for (const form of [raw, JSON.stringify(raw)]) {
      const result = loadConfig(form);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.every((p) => p.startsWith("endpoints.payments.url: "))).toBe(true);
    }
  });

  it("names only the offending endpoint when several are configured", () => {
    const problems = problemsOf(document({ good: PUBLIC_URL, metadata: "https://169.254.169.254/", loop: "https://127.1/" }));
    expect(problems.map((p) => p.slice(0, p.indexOf(":")))).toEqual(["endpoints.metadata.url", "endpoints.loop.url"]);
  });

  it("never echoes the password or query of a refused URL", () => {
    const problems = problemsOf(document({ payments: "https://deploy:hunter2pw@127.0.0.1/hook?token=tok_q7x9" }));
    expect(problems.join("\n")).not.toMatch(/hunter2pw|tok_q7x9|deploy/);
  });
});

describe("endpoint URLs at config load, allow_private_networks true", () => {
  const PRIVATE_OK = BLOCKED.filter(([url]) => !url.includes("@"));

  it.each(PRIVATE_OK)("loads %s (local development)", (url) => {
    expect(parseConfig(document({ payments: url }, true)).ok).toBe(true);
  });

  it("still refuses credentials in the URL", () => {
    expect(problemsOf(document({ payments: "https://deploy:hunter2pw@127.0.0.1/hook" }, true))[0]).toMatch(/^endpoints\.payments\.url: .*credentials/);
  });
});
