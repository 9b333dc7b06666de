// The Worker's bindings, as declared in wrangler.toml. Secrets named by GATEWAY_CONFIG are read
// from the same object by name, so Env is also an index of string bindings.
import type { IdempotencyShard } from "./objects/idempotency-shard";
import type { EndpointGuard } from "./objects/endpoint-guard";
import type { SourceRateLimiter } from "./objects/source-rate-limiter";
import type { OrderedStream } from "./objects/ordered-stream";

export interface Env {
  GATEWAY_CONFIG?: unknown;
  ADMIN_TOKEN?: string;
  ALERT_WEBHOOK_URL?: string;
  /** Standard Webhooks secret (`whsec_...`) that signs alert POSTs, when set. */
  ALERT_SIGNING_SECRET?: string;
  DELIVERY_QUEUE: Queue<unknown>;
  DELIVERY_DLQ: Queue<unknown>;
  DB: D1Database;
  PAYLOADS: R2Bucket;
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyShard>;
  ENDPOINT_GUARD: DurableObjectNamespace<EndpointGuard>;
  ORDERING: DurableObjectNamespace<OrderedStream>;
  RATE_LIMITER: DurableObjectNamespace<SourceRateLimiter>;
  METRICS?: AnalyticsEngineDataset;
  /** Per-IP guard in front of the admin API (wrangler.toml [[ratelimits]]). */
  ADMIN_RATE_LIMIT?: RateLimit;
}

/** Reads a string binding (a secret or var) by name; anything else counts as absent. */
export function stringBinding(env: Env, name: string): string | undefined {
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Reads a Queue producer binding by name. */
export function queueBinding(env: Env, name: string): Queue<unknown> | undefined {
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  if (value !== null && typeof value === "object" && "send" in value && typeof value.send === "function") {
    return value as Queue<unknown>;
  }
  return undefined;
}
