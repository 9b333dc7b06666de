// Worker entry: fetch (ingress, admin), queue (delivery and dead-letter consumers), scheduled
// (retention, alerts). Exports the Durable Object classes. No logic here.
import type { Env } from "./env";
import { createApp } from "./http/app";
import { consumeBatch } from "./delivery/consume";
import { runScheduled } from "./scheduled";
import { systemRuntime } from "./runtime";

export { IdempotencyShard } from "./objects/idempotency-shard";
export { EndpointGuard } from "./objects/endpoint-guard";
export { OrderedStream } from "./objects/ordered-stream";
export { SourceRateLimiter } from "./objects/source-rate-limiter";

const app = createApp(systemRuntime);

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, ctx) => consumeBatch(batch, env, ctx, systemRuntime),
  scheduled: async (_controller, env, _ctx) => {
    await runScheduled(env, systemRuntime);
  },
} satisfies ExportedHandler<Env>;
