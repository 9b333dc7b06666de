// What the benchmark sends: the gateway config (demo-like, private networks allowed), its secrets,
// JSON bodies of an exact size, and pools of signed Standard Webhooks headers, one distinct
// `webhook-id` per request (else every request after the first would be a duplicate).
import { randomBytes, randomUUID } from "node:crypto";
import { producerHeaders } from "../../src/core/signatures";

export const KB = 1024;
export const MB = 1024 * 1024;

export interface BenchSecrets {
  BENCH_SECRET: string;
  BENCH_SIGNING_SECRET: string;
}

export function newSecrets(): BenchSecrets {
  return {
    BENCH_SECRET: `whsec_${randomBytes(24).toString("base64")}`,
    BENCH_SIGNING_SECRET: `whsec_${randomBytes(24).toString("base64")}`,
  };
}

/**
 * Like config/demo.json: a Standard Webhooks source (without a per-source rate limit, which would
 * cap the load), an unsigned source to separate the cost of verification and dedup, a sync route
 * with fallback to a signed endpoint, and an async catch-all.
 */
/** The destinations of the fan-out block's rule (docs/contract.md §5). */
export const FANOUT_DESTINATIONS = ["fan1", "fan2", "fan3", "fan4", "fan5"];

export function benchConfig(upstreamUrl: string): unknown {
  return {
    max_body_bytes: 2 * MB,
    allow_private_networks: true,
    dedup_window_s: 86400,
    sources: {
      bench: { verify: { scheme: "standard-webhooks", secrets: ["BENCH_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "type" },
      open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 }, event_type_header: "X-Event-Type" },
    },
    endpoints: {
      payments: {
        url: `${upstreamUrl}/authorize`,
        signing_secrets: ["BENCH_SIGNING_SECRET"],
        max_concurrency: 100,
        circuit_breaker: { failure_threshold: 5, recovery_timeout_ms: 30000, half_open_max_probes: 1 },
      },
      profiles: { url: `${upstreamUrl}/hooks`, signing_secrets: ["BENCH_SIGNING_SECRET"] },
      ...Object.fromEntries(FANOUT_DESTINATIONS.map((name) => [name, { url: `${upstreamUrl}/hooks/${name}`, signing_secrets: ["BENCH_SIGNING_SECRET"] }])),
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 1500, fallback: "async_dlq" },
      { event_type: "user.*", mode: "async", endpoint: "profiles" },
      { event_type: "fanout.*", mode: "async", destinations: FANOUT_DESTINATIONS.map((endpoint) => ({ endpoint })) },
      { event_type: "order.checked", mode: "async", endpoint: "profiles", schema: "order30" },
      { event_type: "order.plained", mode: "async", endpoint: "profiles" },
    ],
    schemas: { order30: orderSchema() },
  };
}

const ORDER_FIELDS = 30;
const FIELD_KINDS = ["string", "integer", "number", "boolean", "enum", "pattern"] as const;
const fieldName = (i: number) => `field_${String(i).padStart(2, "0")}`;

/** A 30-property object schema: every field required, typed, bounded; a mix of patterns and enums. */
export function orderSchema(): unknown {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < ORDER_FIELDS; i++) {
    const kind = FIELD_KINDS[i % FIELD_KINDS.length];
    properties[fieldName(i)] = {
      string: { type: "string", minLength: 1, maxLength: 1024 },
      integer: { type: "integer", minimum: 0 },
      number: { type: "number", maximum: 1e9 },
      boolean: { type: "boolean" },
      enum: { enum: ["usd", "eur", "chf"] },
      pattern: { type: "string", pattern: "^ord_[A-Za-z0-9]+$" },
    }[kind ?? "string"];
  }
  return { type: "object", required: Array.from({ length: ORDER_FIELDS }, (_, i) => fieldName(i)), properties, additionalProperties: false };
}

/** A JSON event of exactly `size` bytes matching orderSchema() (the first field carries the padding). */
export function orderBody(size: number): Buffer {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < ORDER_FIELDS; i++) {
    const kind = FIELD_KINDS[i % FIELD_KINDS.length];
    fields[fieldName(i)] = { string: "v", integer: 1000 + i, number: 12.5 * i, boolean: i % 2 === 0, enum: "eur", pattern: "ord_A1b2C3d4E5" }[kind ?? "string"];
  }
  const bare = JSON.stringify(fields);
  const pad = size - bare.length;
  if (pad < 0) throw new Error(`an order body cannot be as small as ${size} bytes`);
  fields[fieldName(0)] = "v" + "x".repeat(pad);
  return Buffer.from(JSON.stringify(fields), "utf8");
}

/** A JSON event of exactly `size` bytes, with its type in the `type` field. */
export function jsonBody(type: string, size: number): Buffer {
  const head = `{"type":${JSON.stringify(type)},"data":{"user_id":"u_1842","email":"ada@example.com","note":"`;
  const tail = `"}}`;
  const pad = size - head.length - tail.length;
  if (pad < 0) throw new Error(`a ${type} body cannot be as small as ${size} bytes`);
  return Buffer.from(head + "x".repeat(pad) + tail, "utf8");
}

/** Signed headers for `count` requests carrying `body`, each with its own webhook-id (signed one at a time). */
export async function signedPool(secret: string, body: Buffer, count: number): Promise<Record<string, string>[]> {
  const timestampS = Math.floor(Date.now() / 1000);
  const pool: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) pool.push(await producerHeaders("standard-webhooks", { secret, body, timestampS, id: `msg_${randomUUID()}` }));
  return pool;
}

/**
 * Per-request headers from a pool of `expected` presigned ones. Signing is asynchronous, so when
 * half the pool is left another `expected` are signed in the background (only in a round that sends
 * more than the previous one did); should the load still outrun that, a request goes out unsigned
 * and is counted as an unexpected 401.
 */
export async function signedSupply(secret: string, body: Buffer, expected: number): Promise<() => Record<string, string>> {
  const pool = await signedPool(secret, body, expected);
  let i = 0;
  let refilling = false;
  return () => {
    if (!refilling && pool.length - i < expected / 2) {
      refilling = true;
      void signedPool(secret, body, expected).then((more) => {
        pool.push(...more);
        refilling = false;
      });
    }
    return pool[i++] ?? {};
  };
}

/** A fresh `X-Idempotency-Key` per request. */
export function freshKeys(): () => Record<string, string> {
  let i = 0;
  const prefix = randomUUID();
  return () => ({ "X-Idempotency-Key": `${prefix}-${i++}` });
}

/** A well-formed but wrong signature: verification runs the full HMAC, then answers 401. */
export function forgedHeaders(): () => Record<string, string> {
  const now = String(Math.floor(Date.now() / 1000));
  return () => ({ "webhook-id": `msg_${randomUUID()}`, "webhook-timestamp": now, "webhook-signature": `v1,${randomBytes(32).toString("base64")}` });
}
