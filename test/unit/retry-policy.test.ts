// The source document's retry form (docs/contract.md §8): the steps of each backoff, the cap, jitter
// bounds, and the config rules (one of retry_matrix / retry_policy; no max_attempts beside a policy).
// The document's two snippets (test/fixtures/source-*.json, its YAML translated to JSON) load as written.
import { describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/load";
import { backoffStep, nextDelay, policyFromBackoff, type BackoffPolicy } from "../../src/core/retry";
import routingSnippet from "../fixtures/source-routing-rules.json";
import agentSnippet from "../fixtures/source-delivery-agent.json";

const policy = (p: Partial<BackoffPolicy>): BackoffPolicy => ({ maxAttempts: 6, backoff: "exponential", baseDelayMs: 1000, maxDelayMs: 3_600_000, jitter: false, ...p });
const delays = (p: BackoffPolicy, r: number) => {
  const built = policyFromBackoff(p);
  const out: (number | "give_up")[] = [];
  for (let k = 1; k <= p.maxAttempts; k += 1) {
    const step = nextDelay({ attempt: k, policy: built, random: () => r });
    out.push(step.kind === "retry" ? step.delayMs : "give_up");
  }
  return out;
};

const endpoints = { consumer: { url: "https://consumer.example.com/hooks" } };
const sources = { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"] } } };

function load(raw: unknown): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}
function problems(raw: unknown): string[] {
  const result = parseConfig(raw);
  return result.ok ? [] : result.problems;
}

describe("backoff steps (§8)", () => {
  it("exponential: base × 2^(k−1), exact without jitter, then give up", () => {
    expect(delays(policy({}), 0.9)).toEqual([1000, 2000, 4000, 8000, 16000, "give_up"]);
  });
  it("linear: base × k", () => {
    expect(delays(policy({ backoff: "linear" }), 0.1)).toEqual([1000, 2000, 3000, 4000, 5000, "give_up"]);
  });
  it("fixed: base every time", () => {
    expect(delays(policy({ backoff: "fixed", baseDelayMs: 750 }), 0)).toEqual([750, 750, 750, 750, 750, "give_up"]);
  });
  it("caps every step at max_delay_ms", () => {
    expect(delays(policy({ maxDelayMs: 5000 }), 0.5)).toEqual([1000, 2000, 4000, 5000, 5000, "give_up"]);
    expect(backoffStep(100, { backoff: "exponential", baseDelayMs: 1000, maxDelayMs: 3_600_000 })).toBe(3_600_000);
  });
  it("with jitter: within [0.8, 1.2] × the step, reaching both bounds", () => {
    const p = policy({ jitter: true });
    expect(delays(p, 0)).toEqual([800, 1600, 3200, 6400, 12800, "give_up"]);
    expect(delays(p, 1)).toEqual([1200, 2400, 4800, 9600, 19200, "give_up"]);
    expect(delays(p, 0.5)).toEqual([1000, 2000, 4000, 8000, 16000, "give_up"]);
  });
});

describe("retry_policy in the config (§8)", () => {
  const rule = (extra: Record<string, unknown>) => ({ sources, endpoints, routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "consumer", ...extra }] });

  it("becomes the rule's policy: steps written out, max_attempts the total, max_delay_ms 1 h by default", () => {
    const config = load(rule({ retry_policy: { max_attempts: 15, backoff: "exponential", base_delay_ms: 1000, jitter: false } }));
    const p = config.rules[0]?.policy;
    expect(p?.maxAttempts).toBe(15);
    expect(p?.jitter).toBe(false);
    expect(p?.matrix.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(p?.matrix.at(-1)).toBe(3_600_000);
    expect(p?.matrix).toHaveLength(14);
  });
  it("refuses retry_matrix and retry_policy together, and max_attempts beside a policy", () => {
    const both = problems(rule({ retry_matrix: [1000], retry_policy: { max_attempts: 3, backoff: "fixed", base_delay_ms: 10 } }));
    expect(both).toEqual(["routing_rules[0].retry_policy: give either retry_matrix or retry_policy, not both"]);
    const attempts = problems(rule({ max_attempts: 4, retry_policy: { max_attempts: 3, backoff: "fixed", base_delay_ms: 10 } }));
    expect(attempts).toEqual(["routing_rules[0].max_attempts: not allowed with retry_policy (its max_attempts is the total)"]);
  });
  it("refuses an unknown backoff with its path", () => {
    expect(problems(rule({ retry_policy: { max_attempts: 3, backoff: "random", base_delay_ms: 10 } }))).toEqual([
      "routing_rules[0].retry_policy.backoff: must be one of exponential, linear, fixed",
    ]);
  });
  it("keeps v1 rules as they were (default matrix, 6 attempts)", () => {
    const p = load(rule({})).rules[0]?.policy;
    expect(p).toEqual({ matrix: [500, 1000, 2000, 4000, 8000], maxAttempts: 6 });
  });
});

describe("the source document's snippets, translated to JSON", () => {
  it("dispatcher-config.yaml's routing rules load with every field as written (plus the endpoint they imply)", () => {
    // The document's rules name no consumer; Hookgate's rules must (docs/contract.md §1), so each gets one.
    const rules = routingSnippet.routing_rules.map((r) => ({ ...r, endpoint: "consumer" }));
    const config = load({ sources, endpoints, routing_rules: rules });
    const [sync, async] = config.rules;
    expect(sync).toMatchObject({ event_type: "payment.authorize", mode: "sync", effectiveTimeoutMs: 1500, fallback: "async_dlq" });
    expect(async).toMatchObject({ event_type: "user.profile.updated", mode: "async", queue: "profile_events_v2" });
    expect(async?.policy).toEqual({ matrix: [500, 1000, 2000, 4000, 8000], maxAttempts: 6 });
  });
  it("delivery-agent-config.yaml's retry_policy and dlq.retention_hours load and mean what they say", () => {
    // broker/topics/dlq.topic name Kafka parts; on Workers the Queue binding and D1 take their place.
    const config = load({
      dlq_retention_hours: agentSnippet.dlq.retention_hours,
      sources,
      endpoints,
      routing_rules: [{ event_type: "*", mode: "async", endpoint: "consumer", retry_policy: agentSnippet.retry_policy }],
    });
    expect(config.dlqRetentionHours).toBe(720);
    const p = config.rules[0]?.policy;
    if (p === undefined) throw new Error("no rule");
    expect(p.maxAttempts).toBe(5);
    expect(p.jitter).toBeUndefined(); // jittered, as in §3
    const low = [1, 2, 3, 4, 5].map((k) => nextDelay({ attempt: k, policy: p, random: () => 0 }));
    expect(low.map((s) => (s.kind === "retry" ? s.delayMs : s.kind))).toEqual([800, 1600, 3200, 6400, "give_up"]);
  });
});
