// Rules with destinations and filters (docs/contract.md §5) in GATEWAY_CONFIG: what loads, what is
// refused (with the JSON path of every problem), and that a v1 rule means one unfiltered destination.
import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/load";

const endpoints = {
  billing: { url: "https://billing.example.com/hooks" },
  analytics: { url: "https://analytics.example.com/hooks" },
  fraud: { url: "https://fraud.example.com/hooks" },
};
const sources = { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"] } } };
const doc = (...routing_rules: unknown[]) => ({ sources, endpoints, routing_rules });

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

describe("destinations", () => {
  it("reads a v1 `endpoint` as one destination without a filter", () => {
    const rule = ok(doc({ event_type: "invoice.paid", mode: "async", endpoint: "billing" })).rules[0];
    expect(rule?.destinations).toEqual([{ endpoint: "billing", filter: null }]);
    expect(rule?.endpoint).toBe("billing");
    expect(rule?.name).toBe("invoice.paid");
  });

  it("loads several destinations in order, each with its filter compiled", () => {
    const rule = ok(
      doc({
        event_type: "invoice.paid",
        mode: "async",
        destinations: [{ endpoint: "billing" }, { endpoint: "fraud", filter: { "body.amount": { $gte: 10_000 } } }],
      }),
    ).rules[0];
    expect(rule?.destinations.map((d) => d.endpoint)).toEqual(["billing", "fraud"]);
    expect(rule?.destinations[1]?.filter?.json).toEqual({ "body.amount": { $gte: 10_000 } });
    expect(rule?.endpoint).toBe("billing");
  });

  it("refuses a rule with both endpoint and destinations, or with neither", () => {
    expect(problems(doc({ event_type: "a.b", mode: "async", endpoint: "billing", destinations: [{ endpoint: "fraud" }] }))).toEqual([
      "routing_rules[0].destinations: a rule names either endpoint or destinations, not both and not neither",
    ]);
    expect(problems(doc({ event_type: "a.b", mode: "async" }))).toEqual(["routing_rules[0].endpoint: a rule names either endpoint or destinations, not both and not neither"]);
  });

  it("refuses an empty list, more than 20, a repeated endpoint and an unknown one", () => {
    expect(problems(doc({ event_type: "a.b", mode: "async", destinations: [] }))[0]).toMatch(/^routing_rules\[0\]\.destinations: must name at least one/);
    const many = Array.from({ length: 21 }, (_, i) => ({ endpoint: `e${i}` }));
    expect(problems(doc({ event_type: "a.b", mode: "async", destinations: many }))[0]).toMatch(/^routing_rules\[0\]\.destinations: at most 20/);
    expect(problems(doc({ event_type: "a.b", mode: "async", destinations: [{ endpoint: "billing" }, { endpoint: "billing" }] }))).toEqual([
      'routing_rules[0].destinations[1].endpoint: "billing" is already a destination of this rule',
    ]);
    expect(problems(doc({ event_type: "a.b", mode: "async", destinations: [{ endpoint: "nowhere" }] }))).toEqual([
      'routing_rules[0].destinations[0].endpoint: no endpoint named "nowhere"',
    ]);
  });

  it("refuses a filter on a sync rule's primary, but not on its other destinations", () => {
    expect(problems(doc({ event_type: "p.a", mode: "sync", destinations: [{ endpoint: "billing", filter: { source: "acme" } }] }))).toEqual([
      "routing_rules[0].destinations[0].filter: the primary (first) destination of a sync rule may not have a filter",
    ]);
    ok(doc({ event_type: "p.a", mode: "sync", destinations: [{ endpoint: "billing" }, { endpoint: "fraud", filter: { source: "acme" } }] }));
  });
});

describe("filters in the config", () => {
  it("reports every problem of a filter with its JSON path", () => {
    const found = problems(doc({ event_type: "a.b", mode: "async", endpoint: "billing", filter: { "body.amount": { $gt: true }, $or: [{ "body.x": 1 }, { "bogus.path": 1 }] } }));
    expect(found.some((p) => p.startsWith("routing_rules[0].filter.body.amount"))).toBe(true);
    expect(found.some((p) => p.startsWith("routing_rules[0].filter.$or[1]"))).toBe(true);
  });

  it("names a filtered rule apart from the same pattern without a filter, and stably", () => {
    const config = ok(
      doc(
        { event_type: "user.created", mode: "async", endpoint: "billing" },
        { event_type: "user.created", mode: "async", endpoint: "fraud", filter: { "body.version": 2 } },
        { event_type: "user.created", mode: "async", endpoint: "analytics", filter: { "body.version": 3 }, name: "users-v3" },
      ),
    );
    const [plain, v2, v3] = config.rules;
    expect(plain?.name).toBe("user.created");
    expect(v2?.name).toMatch(/^user\.created#[0-9a-f]{8}$/);
    expect(v3?.name).toBe("users-v3");
    expect(ok(doc({ event_type: "user.created", mode: "async", endpoint: "fraud", filter: { "body.version": 2 } })).rules[0]?.name).toBe(v2?.name);
  });

  it("still refuses two rules of the same pattern and source without a filter", () => {
    expect(problems(doc({ event_type: "a.b", mode: "async", endpoint: "billing" }, { event_type: "a.b", mode: "async", endpoint: "fraud" }))).toEqual([
      "routing_rules[1].event_type: duplicates routing_rules[0] (a.b)",
    ]);
  });
});
