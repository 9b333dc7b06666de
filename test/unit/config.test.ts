// GATEWAY_CONFIG loading (src/config/load.ts): docs/contract.md §1 defaults, problems with JSON paths,
// unknown fields, cross references, the URL guard at load time, both binding forms and memoisation.
import { describe, expect, it } from "vitest";
import { formatPath, loadConfig, parseConfig, type Config } from "../../src/config/load";

const minimal = () => ({
  sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"] } } },
  endpoints: { profiles: { url: "https://profiles.example.com/hooks" } },
  routing_rules: [
    { event_type: "payment.authorize", mode: "sync", endpoint: "profiles" },
    { event_type: "user.*", mode: "async", endpoint: "profiles" },
  ],
});

function ok(raw: unknown): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.problems.join("; ")}`);
  return result.config;
}

function problems(raw: unknown): string[] {
  const result = parseConfig(raw);
  if (result.ok) throw new Error("expected the config to be refused");
  return result.problems;
}

describe("defaults (docs/contract.md §1)", () => {
  it("fills every documented default", () => {
    const config = ok(minimal());
    expect(config.maxBodyBytes).toBe(2_097_152);
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.dedupWindowS).toBe(86_400);
    expect(config.dlqRetentionHours).toBe(720);
    expect(config.dlqAlertThreshold).toBeUndefined();
    const source = config.sources.get("acme");
    expect(source?.verify.tolerance_s).toBe(300);
    expect(source?.min_tls_version).toBe("1.3");
    expect(source?.require_client_certificate).toBe(false);
    expect(source?.eventTypeHeader).toBe("X-Event-Type");
    expect(source?.eventTypeField).toBe("type");
    const endpoint = config.endpoints.get("profiles");
    expect(endpoint?.max_concurrency).toBe(100);
    expect(endpoint?.signing_secrets).toEqual([]);
    expect(endpoint?.circuit_breaker).toEqual({ failure_threshold: 5, recovery_timeout_ms: 30_000, half_open_max_probes: 1 });
    const [sync, async] = config.rules;
    expect(sync?.effectiveTimeoutMs).toBe(1500);
    expect(sync?.fallback).toBe("none");
    expect(async?.retry_matrix).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(async?.queue).toBe("DELIVERY_QUEUE");
    expect(async?.on_failure).toBe("dead_letter_and_continue");
    expect(async?.policy.maxAttempts).toBe(6);
  });

  it("takes the sync timeout from the rule, else the endpoint, else 1500 ms", () => {
    const raw = minimal();
    const config = ok({
      ...raw,
      endpoints: { profiles: { url: "https://profiles.example.com/hooks", timeout_ms: 900 } },
      routing_rules: [
        { event_type: "a.b", mode: "sync", endpoint: "profiles", timeout_ms: 250 },
        { event_type: "c.d", mode: "sync", endpoint: "profiles" },
      ],
    });
    expect(config.rules.map((r) => r.effectiveTimeoutMs)).toEqual([250, 900]);
  });

  it("reads the provider's own event type header by default for github and shopify", () => {
    const config = ok({
      ...minimal(),
      sources: {
        gh: { verify: { scheme: "github", secrets: ["GH"] } },
        shop: { verify: { scheme: "shopify", secrets: ["SHOP"] } },
        custom: { verify: { scheme: "github", secrets: ["GH"] }, event_type_header: "X-Kind", event_type_field: "data.kind" },
      },
    });
    expect(config.sources.get("gh")?.eventTypeHeader).toBe("X-GitHub-Event");
    expect(config.sources.get("shop")?.eventTypeHeader).toBe("X-Shopify-Topic");
    expect(config.sources.get("custom")?.eventTypeHeader).toBe("X-Kind");
    expect(config.sources.get("custom")?.eventTypeField).toBe("data.kind");
  });

  it("names routes after their pattern, prefixed with the source when they have one", () => {
    const config = ok({ ...minimal(), routing_rules: [{ event_type: "user.*", source: "acme", mode: "async", endpoint: "profiles" }] });
    expect(config.rules[0]?.name).toBe("acme:user.*");
  });
});

describe("problems carry JSON paths", () => {
  it("reports a bad rule field as routing_rules[1].timeout_ms: must be a positive integer", () => {
    for (const bad of [0, -5, 1.5, "100"]) {
      const raw = minimal();
      const rules = [raw.routing_rules[0], { ...raw.routing_rules[1], mode: "sync", timeout_ms: bad }];
      expect(problems({ ...raw, routing_rules: rules })).toContain("routing_rules[1].timeout_ms: must be a positive integer");
    }
  });

  it("reports every problem at once, each with its path", () => {
    const raw = {
      ...minimal(),
      max_body_bytes: -1,
      sources: { acme: { verify: { scheme: "rot13", secrets: ["ACME_SECRET"] } } },
      endpoints: { profiles: { url: "https://profiles.example.com/hooks", circuit_breaker: { failure_threshold: 0 } } },
    };
    const found = problems(raw);
    expect(found).toEqual(
      expect.arrayContaining([
        "max_body_bytes: must be a positive integer",
        expect.stringMatching(/^sources\.acme\.verify\.scheme: must be one of standard-webhooks, /),
        "endpoints.profiles.circuit_breaker.failure_threshold: must be a positive integer",
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it("names missing required fields", () => {
    const found = problems({ ...minimal(), routing_rules: [{ event_type: "a.b", endpoint: "profiles" }] });
    expect(found).toEqual([expect.stringMatching(/^routing_rules\[0\]\.mode: /)]);
  });

  it("refuses unknown fields at every level", () => {
    const raw = minimal();
    expect(problems({ ...raw, colour: "blue" })).toEqual(["(root): unknown field colour"]);
    const found = problems({ ...raw, routing_rules: [{ ...raw.routing_rules[1], retries: 3, speed: 1 }] });
    expect(found).toEqual(["routing_rules[0]: unknown fields retries, speed"]);
    expect(problems({ ...raw, endpoints: { profiles: { url: "https://p.example.com/", secret: "x" } } })).toEqual(["endpoints.profiles: unknown field secret"]);
  });

  it("formats zod paths with dots and brackets", () => {
    expect(formatPath(["routing_rules", 1, "timeout_ms"])).toBe("routing_rules[1].timeout_ms");
    expect(formatPath(["endpoints", "pay.v2", "url"])).toBe("endpoints.pay.v2.url");
    expect(formatPath([])).toBe("(root)");
  });
});

describe("cross references", () => {
  it("refuses a rule naming a missing endpoint or source", () => {
    const raw = minimal();
    const found = problems({ ...raw, routing_rules: [{ event_type: "a.b", mode: "async", endpoint: "nowhere", source: "ghost" }] });
    expect(found).toEqual(['routing_rules[0].endpoint: no endpoint named "nowhere"', 'routing_rules[0].source: no source named "ghost"']);
  });

  it("refuses two rules for the same pattern and source", () => {
    const raw = minimal();
    expect(problems({ ...raw, routing_rules: [...raw.routing_rules, { event_type: "user.*", mode: "async", endpoint: "profiles" }] })).toEqual([
      "routing_rules[2].event_type: duplicates routing_rules[1] (user.*)",
    ]);
  });

  it("refuses sync-only and async-only fields in the wrong mode", () => {
    const raw = minimal();
    expect(problems({ ...raw, routing_rules: [{ event_type: "a.b", mode: "async", endpoint: "profiles", fallback: "async_dlq" }] })).toEqual([
      "routing_rules[0].fallback: applies to sync routes only",
    ]);
    expect(problems({ ...raw, routing_rules: [{ event_type: "a.b", mode: "sync", endpoint: "profiles", ordering_key: "body:id" }] })).toEqual([
      "routing_rules[0].ordering_key: ordering applies to async routes only",
    ]);
  });

  it("requires at least one secret unless the scheme is none", () => {
    expect(problems({ ...minimal(), sources: { acme: { verify: { scheme: "github", secrets: [] } } } })).toEqual([
      expect.stringMatching(/^sources\.acme\.verify\.secrets: must name at least one secret/),
    ]);
    expect(ok({ ...minimal(), sources: { acme: { verify: { scheme: "none", secrets: [] } } } }).sources.get("acme")?.verify.scheme).toBe("none");
  });
});

describe("endpoint URL guard at load", () => {
  const withUrl = (url: string, allow = false) => ({ ...minimal(), allow_private_networks: allow, endpoints: { profiles: { url } } });

  it.each([
    ["http://profiles.example.com/hooks", /scheme "http:" is not allowed/],
    ["https://127.0.0.1/hooks", /loopback/],
    ["https://10.1.2.3/hooks", /private range/],
    ["https://169.254.169.254/latest", /link-local/],
    ["https://localhost/hooks", /special-use/],
    ["https://user:pw@profiles.example.com/", /credentials/],
    ["not a url", /not a valid absolute URL/],
  ])("refuses %s", (url, reason) => {
    const [problem] = problems(withUrl(url));
    expect(problem).toMatch(/^endpoints\.profiles\.url: /);
    expect(problem).toMatch(reason);
    expect(problem).not.toContain("pw");
  });

  it("allows private and http URLs when allow_private_networks is true", () => {
    expect(ok(withUrl("http://127.0.0.1:8787/hooks", true)).endpoints.get("profiles")?.url).toBe("http://127.0.0.1:8787/hooks");
  });
});

describe("binding forms", () => {
  it("parses a JSON string like the object", () => {
    const fromString = ok(JSON.stringify(minimal()));
    expect(fromString.raw).toEqual(ok(minimal()).raw);
  });

  it("refuses an absent, empty or non-JSON value with a root problem", () => {
    expect(problems(undefined)).toEqual(["(root): GATEWAY_CONFIG is not set"]);
    expect(problems("")).toEqual(["(root): GATEWAY_CONFIG is not set"]);
    expect(problems("{ nope")[0]).toMatch(/^\(root\): not valid JSON/);
    expect(problems(42)[0]).toMatch(/^\(root\): /);
  });

  it("parses the same binding value once per isolate", () => {
    const object = minimal();
    expect(loadConfig(object)).toBe(loadConfig(object));
    const text = JSON.stringify(minimal());
    expect(loadConfig(text)).toBe(loadConfig(text));
    expect(loadConfig(minimal())).not.toBe(loadConfig(object));
  });
});
