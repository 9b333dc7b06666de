// Helpers for the ordered-delivery runtime tests: an ordered config, a fake endpoint behind a fetch
// spy that records each call (key, sequence, attempt, calls in flight), envelopes for direct calls, D1 reads.
import { vi } from "vitest";
import type { Env } from "../../src/env";
import type { ConfigInput } from "../../src/config/schema";
import type { Envelope } from "../../src/core/envelope";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import type { DeadLetterRow } from "../../src/ports/storage";
import { orderingObjectName } from "../../src/adapters/ordering-client";
import type { StreamSettings, StreamStatus } from "../../src/ports/ordering";
import { baseConfig, call, envWith, signedRequest } from "./helpers";

export const ROUTE = "order.*";
export const FRAGILE_ROUTE = "fragile.*";

export function orderedConfig(onFailure: "dead_letter_and_continue" | "block", retryMatrix: number[] = [0, 0, 0, 0, 0, 0, 0, 0]): ConfigInput {
  return baseConfig({
    endpoints: {
      orders: {
        url: "http://127.0.0.1:9/orders",
        // Failures in these tests must not open the breaker, except on the `fragile` endpoint.
        circuit_breaker: { failure_threshold: 100_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 },
      },
      fragile: { url: "http://127.0.0.1:9/fragile", circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 1_000, half_open_max_probes: 1 } },
    },
    routing_rules: [
      { event_type: ROUTE, mode: "async", endpoint: "orders", ordering_key: "body:customer", retry_matrix: retryMatrix, on_failure: onFailure },
      { event_type: FRAGILE_ROUTE, mode: "async", endpoint: "fragile", ordering_key: "body:customer", retry_matrix: retryMatrix, on_failure: onFailure },
    ],
  });
}

export interface Call {
  id: string;
  key: string;
  sequence: number;
  attempt: number;
  body: Uint8Array;
  headers: Headers;
  status: number;
}

export type Responder = (call: Omit<Call, "status">) => number | Promise<number>;

/** Stubs fetch with an endpoint that answers `respond(call)`; records every call and the most calls in flight per key. */
export function fakeEndpoint(respond: Responder = () => 200) {
  const calls: Call[] = [];
  const inflight = new Map<string, number>();
  const maxInflight = new Map<string, number>();
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
    const headers = new Headers(init?.headers);
    const body = new Uint8Array(init?.body as Uint8Array);
    const key = headers.get("X-Ordering-Key") ?? "";
    const partial = {
      id: headers.get("webhook-id") ?? "",
      key,
      sequence: Number(headers.get("X-Sequence")),
      attempt: Number(headers.get("X-Retry-Attempt")),
      body,
      headers,
    };
    inflight.set(key, (inflight.get(key) ?? 0) + 1);
    maxInflight.set(key, Math.max(maxInflight.get(key) ?? 0, inflight.get(key) ?? 0));
    try {
      const status = await respond(partial);
      calls.push({ ...partial, status });
      return new Response("ok", { status });
    } finally {
      inflight.set(key, (inflight.get(key) ?? 1) - 1);
    }
  });
  return {
    calls,
    spy,
    /** Most calls of one key in flight at once (1 when ordered delivery holds). */
    maxInflight: (key: string) => maxInflight.get(key) ?? 0,
    delivered: (key: string) => calls.filter((c) => c.key === key && c.status >= 200 && c.status < 300),
  };
}

let sent = 0;
/** Sends an `order.updated` (or `type`) event through ingress and returns its 202 body. */
export async function sendOrder(e: Env, customer: string, n: number, extra: Record<string, unknown> = {}, type = "order.updated"): Promise<{ id: string; status: number }> {
  const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type, customer, n, ...extra }), { id: `msg_ord_${Date.now()}_${sent++}` }), e);
  const body = (await res.json()) as { id?: string };
  return { id: body.id ?? "", status: res.status };
}

export function streamOf(e: Env, key: string, route = ROUTE, endpoint: string | null = null) {
  return e.ORDERING.get(e.ORDERING.idFromName(orderingObjectName({ route, endpoint, key })));
}

export async function waitForStatus(e: Env, key: string, check: (s: StreamStatus) => boolean, timeoutMs = 15_000, route = ROUTE): Promise<StreamStatus> {
  return vi.waitFor(
    async () => {
      const status = await streamOf(e, key, route).status();
      if (!check(status)) throw new Error(`stream ${key} not there yet: ${JSON.stringify(status)}`);
      return status;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** A valid envelope of the `orders` endpoint, for calling the object directly. */
export function orderEnvelope(id: string, body = "{}"): Envelope {
  return {
    v: 1,
    id,
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    parent_span_id: "b7ad6b7169203331",
    source: "acme",
    event_type: "order.updated",
    route: ROUTE,
    endpoint: "orders",
    queue: "DELIVERY_QUEUE",
    idempotency_key: null,
    content_type: "application/json",
    headers: [],
    body: { kind: "inline", bytes: new TextEncoder().encode(body) },
    received_at: Date.now(),
    attempt: 0,
    policy: { matrix: [0], max_attempts: 2 },
    last_status: null,
    last_error: null,
    fallback: null,
    replay_count: 0,
    ordering: null,
  };
}

export const ORDERS_SETTINGS: StreamSettings = {
  endpoint: {
    name: "orders",
    url: "http://127.0.0.1:9/orders",
    signing_secrets: [],
    max_concurrency: 100,
    availability_objective: 0.99,
    circuit_breaker: { failure_threshold: 100_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 },
    breaker: { failureThreshold: 100_000, recoveryTimeoutMs: 1_000, halfOpenMaxProbes: 1 },
  },
  allowPrivateNetworks: true,
  onFailure: "dead_letter_and_continue",
};

export function testEnvWith(onFailure: "dead_letter_and_continue" | "block", retryMatrix?: number[]): Env {
  return envWith(orderedConfig(onFailure, retryMatrix));
}

/** The D1 dead letter of a message id, as the admin API reads it. */
export async function deadLetter(e: Env, id: string): Promise<DeadLetterRow | null> {
  return d1DeadLetterStore(e.DB).get(id);
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
