// Shared helpers for Workers-runtime tests: a config builder, signed request builders (every scheme),
// recording queue/bucket bindings, problem assertions, an app bound to the test env with overrides,
// and a simulated clock for code that sleeps.
import { env } from "cloudflare:workers";
import { presetKeys } from "./preset-keys";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import { buildPorts, createWorkerApp } from "../../src/wiring";
import type { Ports } from "../../src/ports";
import { systemRuntime, type Runtime } from "../../src/runtime";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { setLogSink } from "../../src/log";
import { checkedMessages } from "../../src/delivery/owner-check";
import { keepForFailure } from "../log-capture";
import { producerBody, producerHeaders, SCHEME_NAMES, schemeOf, type SchemeName } from "../../src/core/signatures";
import type { ConfigInput } from "../../src/config/schema";
import type { Envelope } from "../../src/core/envelope";
import { PROBLEM_TYPE_BASE } from "../../src/core/problems";

export const testEnv = env as unknown as Env;
export const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const SIGNING_SECRET = "whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3RzLW9ubHk=";

export function baseConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    allow_private_networks: true,
    sources: {
      acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "type" },
      open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } },
    },
    endpoints: {
      profiles: { url: "http://127.0.0.1:9/hooks", signing_secrets: ["PROFILES_SIGNING_SECRET"] },
      payments: { url: "http://127.0.0.1:9/pay" },
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 500 },
      { event_type: "user.*", mode: "async", endpoint: "profiles" },
    ],
    ...overrides,
  };
}

export function envWith(config: unknown, extra: Record<string, unknown> = {}): Env {
  return {
    ...testEnv,
    GATEWAY_CONFIG: typeof config === "string" ? config : JSON.stringify(config),
    ACME_SECRET: SW_SECRET,
    PROFILES_SIGNING_SECRET: SIGNING_SECRET,
    // The admin rate limiter is shared by every test file in a run; tests that need it pass one.
    ADMIN_RATE_LIMIT: undefined,
    ...extra,
  } as Env;
}

/** A Runtime's sleep for tests that must never wait on real time (throws if anything sleeps). */
export function noSleep(): Promise<void> {
  return Promise.reject(new Error("this test's runtime does not sleep"));
}

/** One invocation's ports over `e` (background work left running), for tests that call a use case directly. */
export function portsFor(e: Env, runtime: Runtime = systemRuntime): Ports {
  return buildPorts(e, { waitUntil: (p) => void p.catch(() => undefined) }, runtime, { trailingFlush: false });
}

/**
 * The recorded queue messages the consumer would deliver: async accepts send first and claim after,
 * so a duplicate's copy reaches the queue and the consumer's owner check (delivery/owner-check) drops it.
 */
export async function delivered(sent: readonly unknown[], e: Env): Promise<Envelope[]> {
  if (sent.length === 0) return [];
  const batch = createMessageBatch(
    "hookgate-delivery",
    sent.map((body, i) => ({ id: `recorded-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const pass = await checkedMessages(batch.messages, portsFor(e), batch.queue);
  return pass.map((c) => c.message.body as Envelope);
}

export async function call(request: Request, e: Env): Promise<Response> {
  const app = createWorkerApp();
  const ctx = createExecutionContext();
  const res = await app.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Like `call`, on a runtime whose sleeps end at once (the guard's one-second trailing flush runs straight away). */
const instantApp = createWorkerApp({ ...systemRuntime, sleep: async () => undefined });
export async function callInstant(request: Request, e: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await instantApp.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

let counter = 0;
export async function signedRequest(
  path: string,
  body: string | Uint8Array,
  opts: { headers?: Record<string, string>; id?: string; secret?: string; timestampS?: number } = {},
): Promise<Request> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const id = opts.id ?? `msg_test_${Date.now()}_${counter++}`;
  const ts = opts.timestampS ?? Math.floor(Date.now() / 1000);
  const signed = await producerHeaders("standard-webhooks", { secret: opts.secret ?? SW_SECRET, body: bytes, timestampS: ts, id });
  return new Request(`https://gateway.test${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...signed, ...opts.headers },
    body: bytes,
  });
}

// ---- Recording bindings, problem assertions and per-scheme signed headers (ingress, dedup and sync tests).

export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/** A Queue producer that records every message; `fail` makes `send` throw instead. */
export function recordingQueue(opts: { fail?: boolean } = {}): { queue: Queue<unknown>; sent: unknown[] } {
  const sent: unknown[] = [];
  const queue = {
    send: async (message: unknown) => {
      if (opts.fail === true) throw new Error("queue send failed (test)");
      sent.push(message);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      if (opts.fail === true) throw new Error("queue send failed (test)");
      for (const m of messages) sent.push(m.body);
    },
  };
  return { queue: queue as unknown as Queue<unknown>, sent };
}

/** The real R2 bucket, with every `put` key recorded. */
export function recordingBucket(): { bucket: R2Bucket; puts: string[] } {
  const real = testEnv.PAYLOADS;
  const puts: string[] = [];
  const bucket = {
    put: (key: string, value: Uint8Array, options?: R2PutOptions) => {
      puts.push(key);
      return real.put(key, value, options);
    },
    get: (key: string) => real.get(key),
    head: (key: string) => real.head(key),
    delete: (keys: string | string[]) => real.delete(keys),
    list: (options?: R2ListOptions) => real.list(options),
  };
  return { bucket: bucket as unknown as R2Bucket, puts };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  trace_id: string;
}

/** Asserts the common stamp of every response: a W3C-shaped X-Trace-Id and HSTS. */
export function expectStamped(res: Response): string {
  const traceId = res.headers.get("X-Trace-Id") ?? "";
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(res.headers.get("Strict-Transport-Security")).toBe(HSTS_VALUE);
  return traceId;
}

/** Asserts an RFC 9457 problem of `kind` with `status`, stamped, and returns its body. */
export async function expectProblem(res: Response, status: number, kind: string): Promise<ProblemBody> {
  expect(res.status).toBe(status);
  const traceId = expectStamped(res);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as ProblemBody;
  expect(body).toEqual({ type: PROBLEM_TYPE_BASE + kind, title: expect.any(String), status, detail: expect.any(String), trace_id: traceId });
  return body;
}

export type SignedScheme = Exclude<SchemeName, "none">;
/** Every registered scheme that signs, so each new scheme runs through the ingress tests. */
export const SIGNED_SCHEMES: readonly SignedScheme[] = SCHEME_NAMES.filter((name): name is SignedScheme => name !== "none");

/** A signing secret that suits each scheme (Standard Webhooks secrets are whsec_ + base64; Discord and SendGrid sign with private keys). */
export function secretFor(scheme: SignedScheme, n = 1): string {
  const keys = presetKeys(scheme, n);
  if (keys !== undefined) return keys.signing;
  return schemeOf(scheme).secretFormat === "whsec-base64" ? `whsec_${btoa(`secret-number-${n}-for-tests!!`)}` : `${scheme}-secret-${n}`;
}

/** What a source's secret binding holds for `secretFor(scheme, n)`: the same, or the public key. */
export function bindingFor(scheme: SignedScheme, n = 1): string {
  return presetKeys(scheme, n)?.binding ?? secretFor(scheme, n);
}

/** The signature headers a correct producer of `scheme` sends (the shared producer signer; its output is pinned by known-answer vectors). */
export function schemeHeaders(
  scheme: SignedScheme,
  secret: string,
  body: Uint8Array,
  opts: { timestampS?: number; id?: string; url?: string } = {},
): Promise<Record<string, string>> {
  const timestampS = opts.timestampS ?? Math.floor(Date.now() / 1000);
  return producerHeaders(scheme, { secret, body, timestampS, id: opts.id ?? `msg_${crypto.randomUUID()}`, url: opts.url });
}

/**
 * Headers and body of a correct producer of `scheme` for `raw`: the body as given, or with the
 * signature written in for schemes that sign body fields (Mailgun, Adyen).
 */
export async function schemeRequest(
  scheme: SignedScheme,
  secret: string,
  raw: Uint8Array,
  opts: { timestampS?: number; id?: string; url?: string } = {},
): Promise<{ headers: Record<string, string>; body: Uint8Array }> {
  const request = { secret, body: raw, timestampS: opts.timestampS ?? Math.floor(Date.now() / 1000), id: opts.id ?? `msg_${crypto.randomUUID()}`, url: opts.url };
  const body = await producerBody(scheme, request);
  return { headers: await producerHeaders(scheme, { ...request, body }), body };
}

// ---- A queue envelope for consumer-level tests.

let envelopeCount = 0;

/** A valid v1 envelope of a `user.created` event for the `profiles` endpoint; override any field. */
export function testEnvelope(overrides: Partial<Envelope> = {}, idPrefix = "msg_TEST"): Envelope {
  envelopeCount += 1;
  const id = `${idPrefix}${String(envelopeCount).padStart(30 - idPrefix.length, "0")}`;
  return {
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
    headers: [],
    body: { kind: "inline", bytes: new TextEncoder().encode(`{"type":"user.created","n":${envelopeCount}}`) },
    received_at: Date.now(),
    attempt: 0,
    policy: { matrix: [0, 0], max_attempts: 3 },
    last_status: null,
    last_error: null,
    fallback: null,
    replay_count: 0,
    ordering: null,
    ...overrides,
  };
}

// ---- Per-test isolation for files that read the log lines.

/**
 * Before each test: forget the isolate's endpoint-guard cache and capture log lines afresh (kept for
 * the failure report too, see test/log-capture.ts); after: stop capturing and restore spies. Read
 * `captured.lines` inside a test.
 */
export function captureLogsPerTest(): { lines: string[] } {
  const captured = { lines: [] as string[] };
  beforeEach(() => {
    forgetGuardCache();
    captured.lines = [];
    setLogSink((line) => {
      captured.lines.push(line);
      keepForFailure(line);
    });
  });
  afterEach(() => {
    setLogSink(undefined);
    vi.restoreAllMocks();
  });
  return captured;
}

// ---- A simulated clock for code that waits (Runtime.sleep): time moves only when the test says so.

export interface SimulatedClock {
  /** now() and sleep() on the simulated clock; randomness from the system. */
  runtime: Runtime;
  /** The length of every sleep asked for so far, in order. */
  readonly requested: number[];
  /** Sleeps not yet due. */
  pending(): number;
  /** Moves the clock on by `ms` and wakes, in due order, every sleep that came due; returns how many woke. */
  advance(ms: number): number;
}

export function simulatedClock(start = Date.now()): SimulatedClock {
  let now = start;
  const requested: number[] = [];
  let sleeps: { due: number; wake: () => void }[] = [];
  const runtime: Runtime = {
    ...systemRuntime,
    now: () => now,
    sleep: (ms) => {
      requested.push(ms);
      return new Promise((resolve) => sleeps.push({ due: now + ms, wake: resolve }));
    },
  };
  return {
    runtime,
    requested,
    pending: () => sleeps.length,
    advance(ms) {
      now += ms;
      const due = sleeps.filter((s) => s.due <= now).sort((a, b) => a.due - b.due);
      sleeps = sleeps.filter((s) => s.due > now);
      for (const s of due) s.wake();
      return due.length;
    },
  };
}
