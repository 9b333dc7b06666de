// Worker entry: fetch (ingress, admin), queue (delivery and dead-letter consumers), scheduled
// (retention, alerts). Exports the Durable Object classes. No logic here: ports come from wiring.ts.
import type { Env } from "./env";
import { consumeBatch } from "./delivery/consume";
import { runScheduled } from "./delivery/scheduled";
import { systemRuntime } from "./runtime";
import { buildPorts, createWorkerApp, loadCheckedConfig } from "./wiring";

export { IdempotencyShard } from "./objects/idempotency-shard";
export { EndpointGuard } from "./objects/endpoint-guard";
export { SourceRateLimiter } from "./objects/source-rate-limiter";
export { OrderedStream } from "./wiring";

const app = createWorkerApp(systemRuntime);

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, ctx) => consumeBatch(batch, buildPorts(env, ctx, systemRuntime, { trailingFlush: false }), loadCheckedConfig(env)),
  scheduled: async (_controller, env, ctx) => {
    await runScheduled(buildPorts(env, ctx, systemRuntime, { trailingFlush: false }), loadCheckedConfig(env));
  },
} satisfies ExportedHandler<Env>;
