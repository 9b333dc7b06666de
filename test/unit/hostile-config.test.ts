// GATEWAY_CONFIG parser under random and hostile documents: parseConfig never throws; it answers
// ok with a Config or a non-empty list of `path: message` problems, and a JSON syntax error never
// quotes the document (it may hold a pasted secret, and problems are logged).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig, type LoadResult } from "../../src/config/load";

function expectWellFormed(result: LoadResult): void {
  if (result.ok) {
    expect(result.config.sources).toBeInstanceOf(Map);
    expect(result.config.endpoints).toBeInstanceOf(Map);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(typeof problem).toBe("string");
    expect(problem).toMatch(/^\S[^\n]*: \S/);
  }
}

const names = fc.constantFrom("acme", "legacy", "payments", "profiles", "x", "", "a b", "__proto__", "constructor");
const schemes = fc.constantFrom("standard-webhooks", "hmac-sha256-hex", "stripe", "github", "shopify", "slack", "none", "md5");
const anyValue = fc.jsonValue({ maxDepth: 3 });
/** A value that is right most of the time and anything JSON now and then. */
const mostly = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: anyValue, weight: 1 });

const source = fc.record(
  {
    verify: mostly(
      fc.record(
        {
          scheme: mostly(schemes),
          secrets: mostly(fc.array(fc.constantFrom("ACME_SECRET", "OLD", "bad name", "whsec_abc+/="), { maxLength: 10 })),
          tolerance_s: mostly(fc.integer({ min: -5, max: 100_000 })),
        },
        { requiredKeys: [] },
      ),
    ),
    event_type_header: mostly(fc.constantFrom("X-Event-Type", "bad header")),
    event_type_field: mostly(fc.constantFrom("type", "data.type", "..")),
    rate_limit: mostly(fc.record({ requests: mostly(fc.integer({ min: -1, max: 100 })), period_s: mostly(fc.integer({ min: 0, max: 100_000 })) })),
    min_tls_version: mostly(fc.constantFrom("1.0", "1.2", "1.3", "2.0")),
    require_client_certificate: mostly(fc.boolean()),
  },
  { requiredKeys: [] },
);

const endpoint = fc.record(
  {
    url: mostly(fc.oneof(fc.webUrl(), fc.constantFrom("https://hooks.example.com/x", "https://127.1/", "http://[::1]/", "https://u:p@h.example/", "not a url"))),
    signing_secrets: mostly(fc.array(fc.constantFrom("SIGNING", "bad name"), { maxLength: 3 })),
    max_concurrency: mostly(fc.integer({ min: -1, max: 20_000 })),
    timeout_ms: mostly(fc.integer({ min: 0, max: 200_000 })),
    circuit_breaker: mostly(
      fc.record(
        {
          failure_threshold: mostly(fc.integer({ min: 0, max: 10 })),
          recovery_timeout_ms: mostly(fc.integer({ min: 0, max: 5_000_000 })),
          failure_rate: mostly(fc.record({ threshold: mostly(fc.double({ min: -1, max: 2, noNaN: false })), min_calls: mostly(fc.integer()), window: mostly(fc.integer()) })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const rule = fc.record(
  {
    event_type: mostly(fc.constantFrom("user.*", "payment.authorize", "*", "a..b", "")),
    source: mostly(names),
    mode: mostly(fc.constantFrom("sync", "async", "batch")),
    endpoint: mostly(names),
    timeout_ms: mostly(fc.integer({ min: -1, max: 200_000 })),
    fallback: mostly(fc.constantFrom("none", "async_dlq", "retry")),
    queue: mostly(fc.constantFrom("DELIVERY_QUEUE", "bad queue")),
    retry_matrix: mostly(fc.array(fc.integer({ min: -1, max: 100_000_000 }), { maxLength: 120 })),
    max_attempts: mostly(fc.integer({ min: 0, max: 200 })),
    ordering_key: mostly(fc.constantFrom("body:user_id", "header:X-Key", "user_id", "body:")),
    on_failure: mostly(fc.constantFrom("block", "dead_letter_and_continue", "drop")),
    max_backlog: mostly(fc.integer({ min: -1, max: 10 })),
    shed_when_open: mostly(fc.boolean()),
    auto_replay: mostly(fc.boolean()),
    forward_headers: mostly(fc.array(fc.constantFrom("X-Tenant", "Authorization", "bad header"), { maxLength: 40 })),
  },
  { requiredKeys: ["event_type", "mode", "endpoint"] },
);

const configShaped = fc.record(
  {
    max_body_bytes: mostly(fc.integer({ min: -1, max: 200_000_000 })),
    allow_private_networks: mostly(fc.boolean()),
    dedup_window_s: mostly(fc.integer({ min: 0, max: 3_000_000 })),
    dlq_retention_hours: mostly(fc.integer({ min: 0, max: 10_000 })),
    sources: mostly(fc.dictionary(names, source, { maxKeys: 4 })),
    endpoints: mostly(fc.dictionary(names, endpoint, { maxKeys: 4 })),
    routing_rules: mostly(fc.array(rule, { maxLength: 6 })),
  },
  { requiredKeys: [] },
);

describe("parseConfig never throws", () => {
  it("on any JSON value, given as a value or as its JSON text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => {
        expectWellFormed(parseConfig(doc));
        expectWellFormed(parseConfig(JSON.stringify(doc)));
      }),
      { numRuns: 500 },
    );
  }, 30_000);

  it("on any string, JSON or not", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => expectWellFormed(parseConfig(text))),
      { numRuns: 500 },
    );
  });

  it("on documents shaped like a config with wrong, missing and extra values anywhere", () => {
    fc.assert(
      fc.property(configShaped, fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 2 }), { nil: undefined }), (doc, extra) => {
        const withExtra = extra === undefined ? doc : { ...doc, ...extra };
        expectWellFormed(parseConfig(withExtra));
        expectWellFormed(parseConfig(JSON.stringify(withExtra)));
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it.each([
    ["10,000-deep nested objects", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`],
    ["10,000-deep nesting under sources", `{"sources":{"acme":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}},"endpoints":{},"routing_rules":[]}`],
    ["1,000,000-deep arrays", `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`],
    ["unclosed nesting", '{"a":'.repeat(100_000)],
    ["10,000 endpoints", `{"sources":{},"routing_rules":[],"endpoints":{${Array.from({ length: 10_000 }, (_, i) => `"e${i}":{"url":"https://127.0.0.${i % 250}/"}`).join(",")}}}`],
    ["__proto__ as a source", '{"sources":{"__proto__":{"verify":{"scheme":"none","secrets":[]}}},"endpoints":{},"routing_rules":[]}'],
    ["a NUL byte", '{"sources":{},"endpoints":{},"routing_rules":[]}\u0000'],
  ])(
    "on %s",
    (_name, text) => {
      expectWellFormed(parseConfig(text));
    },
    30_000,
  );
});

describe("JSON syntax errors", () => {
  it.each([
    '{"sources": whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}',
    '{"sources":{}, "x": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" "endpoints":{}}',
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    '{"token": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  ])("are reported without quoting the document: %s", (text) => {
    const result = parseConfig(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^\(root\): not valid JSON( \(at position \d+\))?$/);
    expect(result.problems[0]).not.toMatch(/whsec|MfKQ|LaSw/);
  });
});
