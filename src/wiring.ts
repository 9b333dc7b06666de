// Builds one invocation's ports from the Worker's bindings — the only place besides index.ts that
// reads `env` — and composes the Durable Object that needs a use case (the ordered stream's head step).
import { assetDocuments } from "./adapters/assets-documents";
import { loadConfig, type Config, type LoadResult } from "./config/load";
import { missingQueueBindings } from "./config/scale";
import { DEFAULT_DEDUP_SHARDS, type DedupSharding } from "./core/dedup-shards";
import type { Env } from "./env";
import { queueBinding } from "./env";
import type { Ports } from "./ports";
import type { OrderedHeadStep } from "./ports/ordering";
import type { Background, Runtime } from "./runtime";
import { systemRuntime } from "./runtime";
import { d1AlertStore, d1AuditStore, d1DeadLetterStore, d1FallbackStore, d1SilenceStore } from "./adapters/d1";
import { fetchJwks } from "./adapters/jwks-fetch";
import { endpointGuard } from "./adapters/endpoint-guard-client";
import { httpSender } from "./adapters/http-sender";
import { idempotencyStore } from "./adapters/idempotency-store";
import { analyticsMetrics } from "./adapters/metrics";
import { orderingClient } from "./adapters/ordering-client";
import { r2PayloadStore } from "./adapters/payload-store";
import { deliveryQueue } from "./adapters/queue";
import { adminRateLimit, rateLimiter } from "./adapters/rate-limit-client";
import { bindingSecrets } from "./adapters/secrets";
import { OrderedStreamObject } from "./objects/ordered-stream";
import { orderedHeadStep } from "./delivery/ordered-head";
import { createApp } from "./http/app";

export interface PortOptions {
  /**
   * Whether the endpoint guard may keep a one-second trailing flush alive after the response
   * (fetch path). Queue batches and ordered alarms flush at their end instead.
   */
  trailingFlush: boolean;
}

export function buildPorts(env: Env, background: Background, runtime: Runtime, options: PortOptions): Ports {
  return {
    clock: runtime,
    background,
    secrets: bindingSecrets(env),
    queue: deliveryQueue(
      (name) => queueBinding(env, name),
      (base) => queueShardsOf(env, base),
    ),
    payloads: r2PayloadStore(env.PAYLOADS, env.DB),
    deadLetters: d1DeadLetterStore(env.DB),
    fallbacks: d1FallbackStore(env.DB),
    alerts: d1AlertStore(env.DB),
    silences: d1SilenceStore(env.DB),
    idempotency: idempotencyStore(
      env.IDEMPOTENCY,
      () => dedupShardingOf(env),
      () => runtime.now(),
    ),
    guard: endpointGuard(env.ENDPOINT_GUARD, runtime, options.trailingFlush ? background : undefined),
    ordering: orderingClient(env.ORDERING),
    http: httpSender(() => runtime.now()),
    metrics: analyticsMetrics(env.METRICS, { rate: metricsSampleRate(env), random: () => runtime.random() }),
    rateLimiter: rateLimiter(env.RATE_LIMITER, () => runtime.random()),
    adminRateLimit: adminRateLimit(env.ADMIN_RATE_LIMIT),
    audit: d1AuditStore(env.DB),
    jwks: fetchJwks(),
    documents: assetDocuments(env.ASSETS),
  };
}

/** Producer bindings the queue `base` spreads over (config `queue_shards`); 1 while the config is invalid. */
function queueShardsOf(env: Env, base: string): number {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  return loaded.ok ? (loaded.config.queueShards.get(base) ?? 1) : 1;
}

/** The dedup store's sharding (config `dedup`); the default 64 shards while the config is invalid. */
function dedupShardingOf(env: Env): DedupSharding {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  return loaded.ok ? loaded.config.dedup : { shards: DEFAULT_DEDUP_SHARDS, previous: null };
}

const checked = new WeakMap<Config, LoadResult>();

/**
 * The (memoised) config, checked against the Worker's bindings once per isolate: a queue shard the
 * config sends to but wrangler.toml does not bind makes the config invalid, with a problem naming it.
 */
export function loadCheckedConfig(env: Env): LoadResult {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  if (!loaded.ok) return loaded;
  const memo = checked.get(loaded.config);
  if (memo !== undefined) return memo;
  const queues = loaded.config.rules.map((r) => r.queue);
  const problems = missingQueueBindings(queues, loaded.config.queueShards, (name) => queueBinding(env, name) !== undefined);
  const result: LoadResult = problems.length === 0 ? loaded : { ok: false, problems };
  checked.set(loaded.config, result);
  return result;
}

/** `metrics_sample_rate` of the (memoised) config; 1 while the config is invalid. */
function metricsSampleRate(env: Env): number {
  const loaded = loadConfig(env.GATEWAY_CONFIG);
  return loaded.ok ? loaded.config.metricsSampleRate : 1;
}

/** The HTTP side of the Worker: one Hono app per isolate, ports and config handed in per request. */
export function createWorkerApp(runtime: Runtime = systemRuntime) {
  const app = createApp();
  const bindings = (env: Env, ctx: Background) => ({
    ports: buildPorts(env, ctx, runtime, { trailingFlush: true }),
    config: loadCheckedConfig(env),
  });
  return {
    fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, bindings(env, ctx), ctx),
    /** For tests: like Hono's app.request, with background work left running. */
    request: (path: string, init: RequestInit, env: Env) => app.request(path, init, bindings(env, { waitUntil: (p) => void p.catch(() => undefined) })),
  };
}

/** One per (ordered route, ordering key): storage and alarm from objects/, delivery from the use case. */
export class OrderedStream extends OrderedStreamObject<Env> {
  protected headStep(): OrderedHeadStep {
    const ports = buildPorts(this.env, this.ctx, systemRuntime, { trailingFlush: false });
    return orderedHeadStep(ports, loadCheckedConfig(this.env));
  }
}
