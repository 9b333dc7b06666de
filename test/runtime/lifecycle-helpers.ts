// A gateway with one fresh endpoint (async route user.*, sync route payment.authorize) whose fetch is
// a settable stub, a recording delivery queue, admin calls and a queue-consumer step, for the
// endpoint lifecycle and delivery history tests.
import { afterEach, beforeEach, vi } from "vitest";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { setLogSink } from "../../src/log";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import type { ConfigInput } from "../../src/config/schema";
import { baseConfig, call, envWith, recordingQueue, signedRequest } from "./helpers";

export const TOKEN = "lifecycle-admin-token";
export const ALERT_URL = "http://127.0.0.1:9/alerts";
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

export interface Delivered {
  url: string;
  headers: Headers;
  body: Uint8Array;
}

let counter = 0;

export function lifecycleGateway(
  opts: { endpoint?: Record<string, unknown>; asyncRule?: Partial<ConfigInput["routing_rules"][number]>; syncFallback?: "none" | "async_dlq" } = {},
) {
  const name = `lc-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
  const url = `http://127.0.0.1:9/endpoints/${name}`;
  const config = baseConfig({
    endpoints: { [name]: { url, circuit_breaker: NO_TRIP, ...opts.endpoint } },
    routing_rules: [
      { event_type: "user.*", mode: "async", endpoint: name, retry_matrix: [0, 0], ...opts.asyncRule },
      { event_type: "payment.authorize", mode: "sync", endpoint: name, timeout_ms: 2000, fallback: opts.syncFallback ?? "none" },
    ],
  });
  const q = recordingQueue();
  const env = envWith(config, { DELIVERY_QUEUE: q.queue, ADMIN_TOKEN: TOKEN, ALERT_WEBHOOK_URL: ALERT_URL, ALERT_SIGNING_SECRET: "whsec_YWxlcnQtc2lnbmluZy1zZWNyZXQ=" });
  const delivered: Delivered[] = [];
  const alerts: Record<string, unknown>[] = [];
  const state = { answer: (): Response => new Response("ok", { status: 200 }) };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const body = new Uint8Array(await request.arrayBuffer());
    if (request.url === ALERT_URL) {
      alerts.push({ ...(JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>), signed: request.headers.has("webhook-signature") });
      return new Response(null, { status: 204 });
    }
    delivered.push({ url: request.url, headers: request.headers, body });
    return state.answer();
  });
  return {
    name,
    env,
    delivered,
    alerts,
    queued: q.sent as Envelope[],
    answer(fn: () => Response) {
      state.answer = fn;
    },
  };
}

export function admin(env: Env, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return call(new Request(`https://gateway.test/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), env);
}

let n = 0;
export async function sendEvent(env: Env, type = "user.created", extra: Record<string, unknown> = {}): Promise<Response> {
  return call(await signedRequest("/webhooks/acme", JSON.stringify({ type, n: ++n, ...extra })), env);
}

/** Runs every queued envelope through the delivery consumer in one batch (their re-enqueues land in `queued` again). */
export async function consumeQueued(env: Env, queued: Envelope[]): Promise<void> {
  const bodies = queued.splice(0);
  if (bodies.length === 0) return;
  const batch = createMessageBatch(
    "hookgate-delivery",
    bodies.map((body) => ({ id: `qm-${++n}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
}

/** Per test: a fresh guard cache, log lines to `sink` (dropped by default), real fetch back after. */
export function isolateEachTest(sink: (line: string) => void = () => undefined): void {
  beforeEach(() => {
    forgetGuardCache();
    setLogSink(sink);
  });
  afterEach(() => {
    setLogSink(undefined);
    vi.restoreAllMocks();
  });
}
