// The Worker's bindings, as declared in wrangler.toml. Secrets named by GATEWAY_CONFIG are read
// from the same object by name (adapters/secrets.ts). Only the entry (index.ts, wiring.ts) reads it.
import type { EndpointGuardRpc } from "./ports/guard";
import type { IdempotencyShardRpc } from "./ports/idempotency";
import type { OrderedStreamRpc } from "./ports/ordering";
import type { SourceRateLimiterRpc } from "./ports/rate-limit";

export interface Env {
  GATEWAY_CONFIG?: unknown;
  ADMIN_TOKEN?: string;
  /** Scoped admin tokens: JSON list of { name, token_sha256, scope } (a secret). */
  ADMIN_TOKENS?: string;
  /** Cloudflare Access in front of /admin: the team domain and the application's audience tag. */
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  /** JSON { users?, groups?, default? } mapping Access identities to scopes. */
  ACCESS_SCOPES?: string;
  /** Tests only: a loopback JWKS URL, honoured only with allow_private_networks. */
  ACCESS_JWKS_URL?: string;
  ALERT_WEBHOOK_URL?: string;
  /** Standard Webhooks secret (`whsec_...`) that signs alert POSTs, when set. */
  ALERT_SIGNING_SECRET?: string;
  DELIVERY_QUEUE: Queue<unknown>;
  /** Shards of DELIVERY_QUEUE (config `queue_shards`); more may be bound by name, read via queueBinding. */
  DELIVERY_QUEUE_1?: Queue<unknown>;
  DELIVERY_QUEUE_2?: Queue<unknown>;
  DELIVERY_QUEUE_3?: Queue<unknown>;
  DELIVERY_DLQ: Queue<unknown>;
  DB: D1Database;
  PAYLOADS: R2Bucket;
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyShardRpc>;
  ENDPOINT_GUARD: DurableObjectNamespace<EndpointGuardRpc>;
  ORDERING: DurableObjectNamespace<OrderedStreamRpc>;
  RATE_LIMITER: DurableObjectNamespace<SourceRateLimiterRpc>;
  METRICS?: AnalyticsEngineDataset;
  /** Build-time files (wrangler.toml [assets]): the admin API's OpenAPI document. */
  ASSETS?: Fetcher;
  /** Per-IP guard in front of the admin API (wrangler.toml [[ratelimits]]). */
  ADMIN_RATE_LIMIT?: RateLimit;
}

/** Reads a Queue producer binding by name. */
export function queueBinding(env: Env, name: string): Queue<unknown> | undefined {
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  if (value !== null && typeof value === "object" && "send" in value && typeof value.send === "function") {
    return value as Queue<unknown>;
  }
  return undefined;
}
