// `npm run cost` only, never deployed: the gateway's own Worker (fetch, queue) and Durable Object
// classes with every billable binding, SQL cursor and console line counted (bench/cost/worker/*).
// GET /__cost answers the counts so far (?reset=1 starts a new window); POST /__cost/warm-dedup claims
// one key in every dedup shard (steady state: each shard's bucket table exists and its purge alarm is
// armed, as at any real volume); every other path is the gateway.
import gateway, { EndpointGuard as Guard, IdempotencyShard as Shard, OrderedStream as Stream, SourceRateLimiter as Limiter } from "../../../src/index";
import type { Env } from "../../../src/env";
import { countingEnv, queueChunks } from "./bindings";
import { counted } from "./objects";
import { add, approxBytes, snapshot } from "./tally";
import { DEFAULT_DEDUP_SHARDS, dedupShardName } from "../../../src/core/dedup-shards";

// Workers Logs: every console call is one log event; its bytes matter under per-GB pricing.
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    add("logs.lines");
    add(
      "logs.bytes",
      args.reduce<number>((n, a) => n + approxBytes(a), 0),
    );
    original(...args);
  };
}

// Outbound fetches (deliveries, sync calls): each is a span when traced.
const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  add("subrequests.fetch");
  return realFetch(input, init);
};

export const IdempotencyShard = counted(Shard, "IdempotencyShard");
export const EndpointGuard = counted(Guard, "EndpointGuard");
export const OrderedStream = counted(Stream, "OrderedStream");
export const SourceRateLimiter = counted(Limiter, "SourceRateLimiter");

function countingBatch(batch: MessageBatch<unknown>): { batch: MessageBatch<unknown>; settle: (ok: boolean) => void } {
  const open = new Set<Message<unknown>>();
  const chunks = (m: Message<unknown>) => queueChunks(m.body);
  const messages = batch.messages.map((m): Message<unknown> => {
    add(`queue.read_ops.${batch.queue}`, chunks(m));
    open.add(m);
    return {
      id: m.id,
      timestamp: m.timestamp,
      body: m.body,
      attempts: m.attempts,
      ack() {
        if (open.delete(m)) add(`queue.delete_ops.${batch.queue}`, chunks(m));
        m.ack();
      },
      retry(options) {
        if (open.delete(m)) add("queue.retried_messages");
        m.retry(options);
      },
    };
  });
  return {
    batch: {
      queue: batch.queue,
      messages,
      ackAll: () => messages.forEach((m) => m.ack()),
      retryAll: (options?: QueueRetryOptions) => messages.forEach((m) => m.retry(options)),
    } as unknown as MessageBatch<unknown>,
    // A handler that returns without settling a message acks it; one that throws retries it.
    settle: (ok) => {
      for (const m of open) add(ok ? `queue.delete_ops.${batch.queue}` : "queue.retried_messages", ok ? chunks(m) : 1);
      open.clear();
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__cost") return Response.json(snapshot(url.searchParams.get("reset") === "1"));
    if (url.pathname === "/__cost/warm-dedup") {
      const windowMs = Number(url.searchParams.get("window_ms") ?? 86_400_000);
      await Promise.all(
        Array.from({ length: DEFAULT_DEDUP_SHARDS }, (_, i) =>
          env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(dedupShardName(i))).claim({ key: `__warm-${i}`, bodyHash: "warm", windowMs, leaseMs: 0, waitMs: 0 }),
        ),
      );
      return Response.json({ warmed: DEFAULT_DEDUP_SHARDS });
    }
    add("worker.requests.fetch");
    return gateway.fetch(request, countingEnv(env), ctx);
  },
  async queue(batch, env, ctx) {
    add("worker.requests.queue");
    const counting = countingBatch(batch);
    try {
      await gateway.queue(counting.batch, countingEnv(env), ctx);
      counting.settle(true);
    } catch (error) {
      counting.settle(false);
      throw error;
    }
  },
} satisfies ExportedHandler<Env>;
