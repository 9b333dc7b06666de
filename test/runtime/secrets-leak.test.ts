// No secret value, and no body text, ever reaches a log line or a response: every log line is
// captured (setLogSink) while ingress answers 401, 202 and 500 config-invalid, sync calls succeed
// and fail, the queue consumer retries and dead-letters, and the admin API shows the effective
// config. Secrets are canaries; each scenario also checks that it did log, so the check can fail.
import { describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import { baseConfig, call, captureLogsPerTest, envWith, recordingQueue, schemeHeaders, signedRequest, SIGNING_SECRET, SW_SECRET, testEnv } from "./helpers";

const deadLetters = d1DeadLetterStore(testEnv.DB);

const HEX_SECRET = "hex-secret-LEAKCANARY-1f3a9c";
const OLD_SIGNING_SECRET = "whsec_b2xkLXNpZ25pbmctTEVBS0NBTkFSWS0yYjdkOQ==";
const QUERY_TOKEN = "qtok-LEAKCANARY-7e21";
const URL_PASSWORD = "pw-LEAKCANARY-5c0d";
const ADMIN_TOKEN = "test-admin-token";
const BODY_TEXT = "BODY-LEAKCANARY-cardholder-4242424242424242";
const ENDPOINT_BODY_TEXT = "ENDPOINT-BODY-LEAKCANARY-internal-stack";
const WRONG_SECRET = "whsec_d3JvbmctTEVBS0NBTkFSWS1hOTk5OTk5OTk5OTk=";

/** Every value that must never appear in a log line; the canaries share a marker so partial quotes count. */
const SECRETS: readonly string[] = [SW_SECRET, SIGNING_SECRET, HEX_SECRET, OLD_SIGNING_SECRET, QUERY_TOKEN, URL_PASSWORD, ADMIN_TOKEN, WRONG_SECRET];
const MARKER = "LEAKCANARY";

/** 8-character pieces of each Standard Webhooks secret's key: a quote of part of a secret is a leak too. */
const SECRET_PIECES: readonly string[] = [SW_SECRET, SIGNING_SECRET, OLD_SIGNING_SECRET, WRONG_SECRET].flatMap((secret) => {
  const key = secret.slice("whsec_".length);
  return Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8));
});

/** What in `text` is (part of) a secret, or of a body other than `allowedBody`. */
function leaks(text: string, allowedBody?: string): string[] {
  const found: string[] = [];
  const allowed = allowedBody === undefined ? text : text.split(allowedBody).join("");
  if (allowed.includes(MARKER)) found.push(MARKER);
  if (text.includes("whsec_")) found.push("whsec_");
  for (const value of [...SECRETS, ...SECRET_PIECES]) if (text.includes(value)) found.push(value);
  return found;
}

const captured = captureLogsPerTest();

function expectNoLeakInLogs(): void {
  expect(captured.lines.length).toBeGreaterThan(0);
  for (const line of captured.lines) expect(leaks(line), line).toEqual([]);
}

/** A response's headers and body text must not contain any secret (nor body text, unless `bodyMayEcho`). */
async function expectNoLeakInResponse(res: Response, opts: { bodyMayEcho?: string } = {}): Promise<string> {
  const text = await res.clone().text();
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  expect(leaks(text, opts.bodyMayEcho), text).toEqual([]);
  expect(leaks(headers), headers).toEqual([]);
  return text;
}

const ENDPOINT_BASE = "http://127.0.0.1:9/hooks";

function leakConfig() {
  return baseConfig({
    sources: {
      acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET", "ACME_SECRET_MISSING"], tolerance_s: 300 }, event_type_header: "X-Event-Type" },
      legacy: { verify: { scheme: "hmac-sha256-hex", secrets: ["HEX_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type" },
    },
    endpoints: {
      profiles: {
        url: `${ENDPOINT_BASE}/profiles?token=${QUERY_TOKEN}`,
        signing_secrets: ["PROFILES_SIGNING_SECRET", "PROFILES_OLD_SECRET"],
        circuit_breaker: { failure_threshold: 1_000_000 },
      },
      payments: { url: `${ENDPOINT_BASE}/payments?token=${QUERY_TOKEN}`, signing_secrets: ["PROFILES_SIGNING_SECRET"], circuit_breaker: { failure_threshold: 1_000_000 } },
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 200 },
      { event_type: "payment.capture", mode: "sync", endpoint: "payments", timeout_ms: 200, fallback: "async_dlq" },
      { event_type: "user.*", mode: "async", endpoint: "profiles", forward_headers: ["X-Tenant", "Authorization", "X-Api-Secret"] },
    ],
  });
}

function leakEnv(extra: Record<string, unknown> = {}): { env: Env; sent: unknown[] } {
  const q = recordingQueue();
  const env = envWith(leakConfig(), { DELIVERY_QUEUE: q.queue, HEX_SECRET, PROFILES_OLD_SECRET: OLD_SIGNING_SECRET, ...extra });
  return { env, sent: q.sent };
}

const userBody = () => JSON.stringify({ type: "user.created", note: BODY_TEXT, n: Math.random() });
const paymentBody = (type = "payment.authorize") => JSON.stringify({ type, card: BODY_TEXT, n: Math.random() });

type Answer = (url: string, signal: AbortSignal | undefined) => Promise<Response>;

/** The endpoint behind fetch: `answer` decides per call; the URL (with its query token) is what fetch sees. */
function endpoint(answer: Answer): string[] {
  const urls: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input, init).url;
    urls.push(url);
    return answer(url, init?.signal ?? undefined);
  });
  return urls;
}

/** Like workerd's fetch errors, the message names the URL it failed to reach (query token included). */
const networkError: Answer = async (url) => {
  throw new TypeError(`fetch failed: connect ECONNREFUSED ${url}`);
};

/** Never answers; rejects when the caller's AbortSignal.timeout fires, like a real fetch. */
const hang: Answer = (_url, signal) =>
  new Promise((_resolve, reject) => {
    signal?.addEventListener("abort", () => reject(signal.reason));
  });

describe("ingress", () => {
  it("401s for a wrong secret, a stale timestamp, missing headers and a bad hex MAC log no secret and no body", async () => {
    const { env } = leakEnv();
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const requests = [
      await signedRequest("/webhooks/acme", userBody(), { secret: WRONG_SECRET }),
      await signedRequest("/webhooks/acme", userBody(), { timestampS: stale }),
      new Request("https://gateway.test/webhooks/acme", { method: "POST", body: userBody() }),
      new Request("https://gateway.test/webhooks/legacy/user.created", {
        method: "POST",
        body: userBody(),
        headers: { "X-Signature": "sha256=" + "0".repeat(64), "X-Timestamp": String(Math.floor(Date.now() / 1000)) },
      }),
    ];
    for (const request of requests) {
      const res = await call(request, env);
      expect(res.status).toBe(401);
      await expectNoLeakInResponse(res);
    }
    expectNoLeakInLogs();
    // The missing rotation binding is named, never valued.
    expect(captured.lines.some((l) => l.includes('"secret_binding_missing"') && l.includes("ACME_SECRET_MISSING"))).toBe(true);
  });

  it("202s (standard-webhooks and hmac-sha256-hex) log no secret and no body", async () => {
    const { env, sent } = leakEnv();
    const body = new TextEncoder().encode(userBody());
    const legacy = new Request("https://gateway.test/webhooks/legacy/user.created", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", ...(await schemeHeaders("hmac-sha256-hex", HEX_SECRET, body)) },
    });
    for (const request of [await signedRequest("/webhooks/acme", userBody(), { headers: { "X-Tenant": "t1", Authorization: `Bearer ${ADMIN_TOKEN}` } }), legacy]) {
      const res = await call(request, env);
      expect(res.status).toBe(202);
      await expectNoLeakInResponse(res);
    }
    expect(sent).toHaveLength(2);
    expectNoLeakInLogs();
  });

  it.each([
    ["malformed JSON around a pasted secret", `{"sources": {"acme": {"verify": {"scheme": "standard-webhooks", "secrets": [${SW_SECRET}]}}}`],
    ["malformed JSON ending inside a pasted secret", `{"sources": {}, "token": "${SW_SECRET}`],
    ["a secret value where a binding name goes", JSON.stringify({ ...leakConfig(), sources: { acme: { verify: { scheme: "hmac-sha256-hex", secrets: [`${HEX_SECRET}+/=`] } } } })],
    ["a secret value as an unknown field", JSON.stringify({ ...leakConfig(), ACME_SECRET: SW_SECRET, admin_token: ADMIN_TOKEN })],
    [
      "a secret in an endpoint URL's userinfo and query",
      JSON.stringify({ ...leakConfig(), endpoints: { profiles: { url: `https://deploy:${URL_PASSWORD}@hooks.example.com/x?token=${QUERY_TOKEN}` } } }),
    ],
  ])("500 config-invalid for %s captured.lines the problems without the secret", async (_name, gatewayConfig) => {
    const env = { ...leakEnv().env, GATEWAY_CONFIG: gatewayConfig } as Env;
    for (const request of [
      await signedRequest("/webhooks/acme", userBody()),
      new Request("https://gateway.test/admin/routes", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }),
    ]) {
      const res = await call(request, env);
      expect(res.status).toBe(500);
      await expectNoLeakInResponse(res);
    }
    expect(captured.lines.some((l) => l.includes('"config_invalid"'))).toBe(true);
    expectNoLeakInLogs();
  });
});

describe("sync calls", () => {
  it.each([
    ["a 200 answer", async () => new Response('{"approved":true}', { status: 200, headers: { "Content-Type": "application/json" } })],
    ["a 500 answer with an internal body", async () => new Response(ENDPOINT_BODY_TEXT, { status: 500 })],
    ["a 503 answer with an internal body", async () => new Response(ENDPOINT_BODY_TEXT, { status: 503 })],
    ["a 302 redirect", async () => new Response(null, { status: 302, headers: { Location: `https://evil.example/?token=${QUERY_TOKEN}` } })],
    ["a network error naming the URL", networkError],
    ["a timeout", hang],
  ] as const)("%s captured.lines no secret, no body and no endpoint query", async (_name, answer) => {
    const urls = endpoint(answer);
    const { env } = leakEnv();
    for (const type of ["payment.authorize", "payment.capture"]) {
      const res = await call(await signedRequest("/webhooks/acme", paymentBody(type), { headers: { "X-Idempotency-Key": crypto.randomUUID() } }), env);
      expect(res.status).not.toBe(401);
      // A passed-through answer is the endpoint's own body, by design (docs/contract.md §2).
      await expectNoLeakInResponse(res, { bodyMayEcho: ENDPOINT_BODY_TEXT });
    }
    expect(urls.length).toBeGreaterThan(0);
    expect(urls[0]).toContain(QUERY_TOKEN);
    expectNoLeakInLogs();
  });
});

describe("queue deliveries", () => {
  let n = 0;
  function envelope(overrides: Partial<Envelope> = {}): Envelope {
    n += 1;
    return {
      v: 1,
      id: `msg_LEAKTEST${String(n).padStart(18, "0")}`,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      parent_span_id: "00f067aa0ba902b7",
      source: "acme",
      event_type: "user.created",
      route: "user.*",
      endpoint: "profiles",
      queue: "DELIVERY_QUEUE",
      idempotency_key: null,
      content_type: "application/json",
      headers: [["X-Tenant", "t1"]],
      body: { kind: "inline", bytes: new TextEncoder().encode(userBody()) },
      received_at: Date.now(),
      attempt: 0,
      policy: { matrix: [0], max_attempts: 2 },
      last_status: null,
      last_error: null,
      fallback: null,
      replay_count: 0,
      ordering: null,
      ...overrides,
    };
  }

  it.each([
    ["a 500 (retry)", async () => new Response(ENDPOINT_BODY_TEXT, { status: 500 }), 0],
    ["a 500 on the last attempt (dead letter)", async () => new Response(ENDPOINT_BODY_TEXT, { status: 500 }), 1],
    ["a 400 (dead letter)", async () => new Response(ENDPOINT_BODY_TEXT, { status: 400 }), 0],
    ["a network error naming the URL", networkError, 0],
    ["a 204 (delivered)", async () => new Response(null, { status: 204 }), 0],
  ] as const)("%s captured.lines no secret, no body and no endpoint query", async (_name, answer, attempt) => {
    const urls = endpoint(answer);
    const { env } = leakEnv();
    const batch = createMessageBatch("hookgate-delivery", [{ id: `qm-leak-${n}`, timestamp: new Date(), attempts: 1, body: envelope({ attempt }) }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    expect(urls).toHaveLength(1);
    expectNoLeakInLogs();
  });
});

describe("admin API", () => {
  const admin = (path: string, token = ADMIN_TOKEN) => new Request(`https://gateway.test/admin${path}`, { headers: { Authorization: `Bearer ${token}` } });

  it("GET /admin/routes names secret bindings, never their values, and redacts endpoint URLs", async () => {
    const { env } = leakEnv();
    const res = await call(admin("/routes"), env);
    expect(res.status).toBe(200);
    const text = await expectNoLeakInResponse(res);
    expect(text).toContain("PROFILES_SIGNING_SECRET");
    expect(text).toContain("ACME_SECRET_MISSING");
    expect(text).toContain(`${ENDPOINT_BASE}/profiles`);
    expect(text).not.toContain("token=");
  });

  it("GET /admin/endpoints/{name} redacts the URL; a wrong token's 401 captured.lines neither token", async () => {
    const { env } = leakEnv();
    const detail = await call(admin("/endpoints/profiles"), env);
    expect(detail.status).toBe(200);
    await expectNoLeakInResponse(detail);
    const wrong = await call(admin("/routes", WRONG_SECRET), env);
    expect(wrong.status).toBe(401);
    await expectNoLeakInResponse(wrong);
    expectNoLeakInLogs();
  });

  it("GET /admin/dlq/{id} shows the body (operators inspect it) but redacts credential-like forwarded headers", async () => {
    const { env } = leakEnv();
    const id = `msg_LEAKDLQ${crypto.randomUUID().replace(/-/g, "").slice(0, 18)}`;
    const e: Envelope = {
      v: 1,
      id,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      parent_span_id: "00f067aa0ba902b7",
      source: "acme",
      event_type: "user.created",
      route: "user.*",
      endpoint: "profiles",
      queue: "DELIVERY_QUEUE",
      idempotency_key: null,
      content_type: "application/json",
      headers: [
        ["X-Tenant", "t1"],
        ["Authorization", `Bearer ${ADMIN_TOKEN}`],
        ["X-Api-Secret", HEX_SECRET],
      ],
      body: { kind: "inline", bytes: new TextEncoder().encode(userBody()) },
      received_at: Date.now(),
      attempt: 1,
      policy: { matrix: [], max_attempts: 1 },
      last_status: 400,
      last_error: "HTTP 400",
      fallback: null,
      replay_count: 0,
      ordering: null,
    };
    await deadLetters.write({ envelope: e, reason: "rejected", attempts: 1, lastStatus: 400, lastError: "HTTP 400", failedAt: Date.now() });
    const res = await call(admin(`/dlq/${id}`), env);
    expect(res.status).toBe(200);
    const text = await expectNoLeakInResponse(res, { bodyMayEcho: BODY_TEXT });
    expect(text).toContain(BODY_TEXT);
    expect(text).toContain("[redacted]");
  });
});
