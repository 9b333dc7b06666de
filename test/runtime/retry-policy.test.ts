// A rule's retry_policy (docs/contract.md §8) end to end in the runtime: the envelope accepted at
// ingress carries the policy's steps (and jitter: false), and each failed attempt waits exactly the
// step §8 defines; a v1 envelope without the new field still parses and is jittered. Fake clock.
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config/load";
import { parseEnvelope, type Envelope } from "../../src/core/envelope";
import { attemptDelivery } from "../../src/delivery/attempt";
import { setLogSink } from "../../src/log";
import type { Runtime } from "../../src/runtime";
import { baseConfig, call, envWith, noSleep, portsFor, recordingQueue, signedRequest, testEnvelope } from "./helpers";

const URL_ = "https://retry-policy.example.com/hooks";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const clock = (random: number): Runtime => ({ now: () => NOW, random: () => random, randomBytes: (n) => new Uint8Array(n).fill(7), sleep: noSleep });

afterEach(() => {
  vi.restoreAllMocks();
  setLogSink(undefined);
});

function configWith(backoff: "exponential" | "linear" | "fixed", jitter: boolean) {
  return baseConfig({
    allow_private_networks: false,
    endpoints: { profiles: { url: URL_, circuit_breaker: { failure_threshold: 1000, recovery_timeout_ms: 1000, half_open_max_probes: 1 } } },
    routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "profiles", retry_policy: { max_attempts: 5, backoff, base_delay_ms: 2000, max_delay_ms: 10_000, jitter } }],
  });
}

async function delaysFor(envelope: Envelope, raw: ReturnType<typeof configWith>, random: number): Promise<(number | string)[]> {
  setLogSink(() => undefined);
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
  const e = envWith(raw);
  const loaded = loadConfig(e.GATEWAY_CONFIG);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const endpoint = loaded.config.endpoints.get("profiles");
  if (endpoint === undefined) throw new Error("no endpoint");
  const out: (number | string)[] = [];
  let current = envelope;
  for (let i = 0; i < envelope.policy.max_attempts; i += 1) {
    const outcome = await attemptDelivery(portsFor(e, clock(random)), loaded.config, endpoint, current);
    out.push(outcome.decision.kind === "retry" ? outcome.decision.delayMs : outcome.decision.kind);
    current = { ...current, attempt: outcome.attempt };
  }
  return out;
}

describe("retry_policy through ingress and the attempt path", () => {
  it("carries the written-out steps and jitter: false in the accepted envelope", async () => {
    const q = recordingQueue();
    const e = envWith(configWith("exponential", false), { DELIVERY_QUEUE: q.queue });
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" })), e);
    expect(res.status).toBe(202);
    const parsed = parseEnvelope(q.sent[0]);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.envelope.policy).toEqual({ matrix: [2000, 4000, 8000, 10_000], max_attempts: 5, jitter: false });
  });

  it.each([
    ["exponential", [2000, 4000, 8000, 10_000, "dead_letter"]],
    ["linear", [2000, 4000, 6000, 8000, "dead_letter"]],
    ["fixed", [2000, 2000, 2000, 2000, "dead_letter"]],
  ] as const)("%s without jitter waits exactly the §8 steps, then dead-letters", async (backoff, expected) => {
    const raw = configWith(backoff, false);
    const loaded = loadConfig(JSON.stringify(raw));
    if (!loaded.ok) throw new Error("config");
    const policy = loaded.config.rules[0]?.policy;
    const envelope = testEnvelope({ policy: { matrix: [...(policy?.matrix ?? [])], max_attempts: 5, jitter: false } });
    expect(await delaysFor(envelope, raw, 0.99)).toEqual(expected);
  });

  it("with jitter stays within [0.8, 1.2] × each step (both ends)", async () => {
    const raw = configWith("linear", true);
    const envelope = testEnvelope({ policy: { matrix: [2000, 4000, 6000, 8000], max_attempts: 5 } });
    expect(await delaysFor(envelope, raw, 0)).toEqual([1600, 3200, 4800, 6400, "dead_letter"]);
    expect(await delaysFor(envelope, raw, 1)).toEqual([2400, 4800, 7200, 9600, "dead_letter"]);
  });

  it("still reads an in-flight v1 envelope (no jitter field) as jittered", () => {
    const v1 = { ...testEnvelope(), policy: { matrix: [500, 1000], max_attempts: 3 } };
    const parsed = parseEnvelope(JSON.parse(JSON.stringify({ ...v1, body: { kind: "r2", key: "payloads/x", size: 3 } })));
    expect(parsed.ok && parsed.envelope.policy).toEqual({ matrix: [500, 1000], max_attempts: 3 });
  });
});
