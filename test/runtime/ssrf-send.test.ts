// SSRF guard at send time (docs/contract.md §1, §4 reason `blocked_url`): whatever config the sender is
// handed, a blocked URL never reaches `fetch`: the sender answers blocked_url, an async attempt
// dead-letters with reason blocked_url, and a sync call answers 502, each with zero outbound fetches.
// Config load already refuses these URLs, so the delivery cases feed the real consumer a Config
// whose endpoint URL was swapped after loading (through loadConfig's per-isolate memo).
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { loadConfig, type Config, type Endpoint } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import { httpSender } from "../../src/adapters/http-sender";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { attemptDelivery } from "../../src/delivery/attempt";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, expectProblem, portsFor, signedRequest, testEnv, testEnvelope } from "./helpers";

/** Every blocked form the Protection issue lists (the same table as test/unit/ssrf-config.test.ts). */
const BLOCKED: readonly string[] = [
  "https://localhost/hook",
  "https://127.0.0.1/hook",
  "https://127.1/hook",
  "https://2130706433/hook",
  "https://0x7f000001/hook",
  "https://0177.0.0.1/hook",
  "https://[::1]/hook",
  "https://[::ffff:127.0.0.1]/hook",
  "https://[fd00::1]/hook",
  "https://[fe80::1]/hook",
  "https://169.254.169.254/latest/meta-data/",
  "https://100.64.0.1/hook",
  "https://10.0.0.1/hook",
  "https://172.16.0.1/hook",
  "https://192.168.1.1/hook",
  "https://0.0.0.0/hook",
  "http://hooks.example.com/hook",
  "https://deploy:hunter2pw@hooks.example.com/hook",
  "https://hooks.example.com:22/hook",
  "https://foo.localhost/hook",
  "https://metadata.google.internal/computeMetadata/v1/",
];

const PUBLIC_URL = "https://hooks.example.com/hook";
const enc = new TextEncoder();

let fetchSpy: MockInstance<typeof fetch>;
let logs: string[] = [];

beforeEach(() => {
  forgetGuardCache();
  fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("reached", { status: 200 }));
  logs = [];
  setLogSink((line) => logs.push(line));
});

afterEach(() => {
  setLogSink(undefined);
  vi.restoreAllMocks();
});

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;

/**
 * A raw GATEWAY_CONFIG object that loads (public URL, allow_private_networks false), whose loaded
 * Config then has the endpoint's URL replaced by `url`: what a send-time check must still catch.
 */
function configWithUrlAtSend(endpoint: string, url: string, overrides: Partial<ConfigInput> = {}): { raw: ConfigInput; config: Config; endpoint: Endpoint } {
  const raw = baseConfig({
    allow_private_networks: false,
    endpoints: { [endpoint]: { url: PUBLIC_URL, circuit_breaker: { failure_threshold: 1_000_000 } } },
    routing_rules: [{ event_type: "user.*", mode: "async", endpoint }],
    ...overrides,
  });
  const loaded = loadConfig(raw);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const original = loaded.config.endpoints.get(endpoint);
  if (original === undefined) throw new Error("endpoint missing");
  const swapped: Endpoint = { ...original, url };
  (loaded.config.endpoints as Map<string, Endpoint>).set(endpoint, swapped);
  return { raw, config: loaded.config, endpoint: swapped };
}

function envelope(endpoint: string): Envelope {
  return testEnvelope({ endpoint }, "msg_SSRFSEND");
}

interface Row {
  reason: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

describe("the HTTP sender with allowPrivateNetworks false", () => {
  const input = (url: string) => ({ url, allowPrivateNetworks: false, headers: new Headers(), body: enc.encode("{}"), timeoutMs: 1000, nowMs: Date.now() });

  it("calls fetch for a public https URL (the control case)", async () => {
    const sent = await httpSender(() => Date.now()).send(input(PUBLIC_URL));
    expect(sent.result).toEqual({ kind: "response", status: 200 });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it.each(BLOCKED)("answers blocked_url for %s without any fetch", async (url) => {
    const sent = await httpSender(() => Date.now()).send(input(url));
    expect(sent.result.kind).toBe("blocked_url");
    expect(sent.response).toBeNull();
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("attemptDelivery with a Config whose URL fails at send", () => {
  it.each(BLOCKED)("dead-letters %s with reason blocked_url without any fetch", async (url) => {
    const name = unique("attempt");
    const { raw, config, endpoint } = configWithUrlAtSend(name, url);
    const env = envWith(raw);
    const outcome = await attemptDelivery(portsFor(env), config, endpoint, envelope(name));
    expect(outcome.decision).toEqual({ kind: "dead_letter", reason: "blocked_url" });
    expect(outcome).toMatchObject({ attempt: 1, lastStatus: null });
    expect(outcome.lastError).toMatch(/^blocked url: /);
    expect(outcome.lastError).not.toContain("hunter2pw");
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("the delivery queue consumer with a Config whose URL fails at send", () => {
  async function consume(env: Env, body: Envelope) {
    const id = unique("qm");
    const batch = createMessageBatch("hookgate-delivery", [{ id, timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    return { id, result: await getQueueResult(batch, ctx) };
  }

  it("delivers to the public URL before the swap (the control case)", async () => {
    const name = unique("consumer");
    const raw = baseConfig({
      allow_private_networks: false,
      endpoints: { [name]: { url: PUBLIC_URL } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint: name }],
    });
    const e = envelope(name);
    const { id, result } = await consume({ ...envWith(raw), GATEWAY_CONFIG: raw } as Env, e);
    expect(result.explicitAcks).toEqual([id]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it.each(BLOCKED)("writes a blocked_url dead letter for %s, acks, and never fetches", async (url) => {
    const name = unique("consumer");
    const { raw } = configWithUrlAtSend(name, url);
    const env = { ...envWith(raw), GATEWAY_CONFIG: raw } as Env;
    const send = vi.spyOn(env.DELIVERY_QUEUE, "send");
    const e = envelope(name);
    const { id, result } = await consume(env, e);
    expect(result.explicitAcks).toEqual([id]);
    expect(result.retryMessages).toEqual([]);
    expect(send).not.toHaveBeenCalled();
    const row = await testEnv.DB.prepare("SELECT reason, attempts, last_status, last_error FROM dead_letters WHERE id = ?").bind(e.id).first<Row>();
    expect(row).toMatchObject({ reason: "blocked_url", attempts: 1, last_status: null });
    expect(row?.last_error).toMatch(/^blocked url: /);
    expect(row?.last_error).not.toContain("hunter2pw");
    expect(logs.some((l) => l.includes('"event":"dead_lettered"') && l.includes('"reason":"blocked_url"'))).toBe(true);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("a sync call with a Config whose URL fails at send", () => {
  it.each(BLOCKED)("answers 502 upstream-error for %s without any fetch", async (url) => {
    const name = unique("sync");
    const { raw } = configWithUrlAtSend(name, url, {
      routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: name, timeout_ms: 1000 }],
    });
    const env = { ...envWith(raw), GATEWAY_CONFIG: raw } as Env;
    const body = JSON.stringify({ type: "payment.authorize", amount: 1 });
    const res = await call(await signedRequest("/webhooks/acme", body, { headers: { "X-Idempotency-Key": unique("key") } }), env);
    const problem = await expectProblem(res, 502, "upstream-error");
    expect(problem.detail).not.toMatch(/hunter2pw|169\.254|127\./);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
