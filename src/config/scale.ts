// The scale settings of GATEWAY_CONFIG (docs/sharding.md): queue shards per producer binding and the
// dedup shard count with its re-shard window; their zod schemas, cross-checks and loaded form.
import * as z from "../core/zod";
import { MAX_QUEUE_SHARDS, queueBindingNames } from "../core/queue-shard";
import { DEFAULT_DEDUP_SHARDS, MAX_DEDUP_SHARDS, recommendedDedupShards, type DedupSharding } from "../core/dedup-shards";

const shardCount = (max: number) => {
  const error = `must be an integer from 1 to ${max}`;
  return z.number({ error }).check(z.int({ error }), z.gte(1, { error }), z.lte(max, { error }));
};

/** `queue_shards: { "DELIVERY_QUEUE": 4 }`: the base binding spreads over DELIVERY_QUEUE, _1, _2, _3. */
export const queueShardsSchema = z._default(
  z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: "must be a binding name" })), shardCount(MAX_QUEUE_SHARDS), {
    error: "must be an object of producer binding → shard count",
  }),
  {},
);

/** `dedup: { shards, previous_shards?, until?, expected_events_per_s? }`. */
export const dedupSchema = z._default(
  z.strictObject({
    shards: z._default(shardCount(MAX_DEDUP_SHARDS), DEFAULT_DEDUP_SHARDS),
    previous_shards: z.optional(shardCount(MAX_DEDUP_SHARDS)),
    until: z.optional(z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone" })),
    expected_events_per_s: z.optional(z.number({ error: "must be a positive number" }).check(z.positive({ error: "must be a positive number" }))),
  }),
  { shards: DEFAULT_DEDUP_SHARDS },
);

type QueueShardsInput = z.output<typeof queueShardsSchema>;
type DedupInput = z.output<typeof dedupSchema>;

/** Cross-field problems of the scale settings, with their JSON paths. */
export function scaleProblems(queueShards: QueueShardsInput, dedup: DedupInput, ruleQueues: readonly string[]): string[] {
  const problems: string[] = [];
  const bases = new Set(ruleQueues);
  for (const base of Object.keys(queueShards)) {
    if (!bases.has(base)) problems.push(`queue_shards.${base}: no routing rule sends to this queue binding`);
    // BASE_1 of a base must not itself be a base another rule names (its shards would overlap).
    for (const other of bases)
      if (other !== base && queueBindingNames(base, queueShards[base] ?? 1).includes(other)) problems.push(`queue_shards.${base}: its shard ${other} is also a rule's queue`);
  }
  if ((dedup.previous_shards === undefined) !== (dedup.until === undefined)) {
    problems.push(`dedup.${dedup.until === undefined ? "until" : "previous_shards"}: a re-shard gives both previous_shards and until`);
  }
  if (dedup.previous_shards !== undefined && dedup.previous_shards === dedup.shards) problems.push("dedup.previous_shards: equals shards (no re-shard to make)");
  if (dedup.expected_events_per_s !== undefined) {
    const needed = recommendedDedupShards(dedup.expected_events_per_s);
    if (dedup.shards < needed)
      problems.push(`dedup.shards: ${dedup.expected_events_per_s} events/s needs at least ${needed} shards (≤ 500 calls/s each); re-shard as in docs/sharding.md`);
  }
  return problems;
}

export function loadQueueShards(queueShards: QueueShardsInput): ReadonlyMap<string, number> {
  return new Map(Object.entries(queueShards));
}

export function loadDedupSharding(dedup: DedupInput): DedupSharding {
  const previous = dedup.previous_shards !== undefined && dedup.until !== undefined ? { shards: dedup.previous_shards, until: Date.parse(dedup.until) } : null;
  return { shards: dedup.shards, previous };
}

/**
 * Queue producer bindings the config sends to that the Worker lacks (wrangler.toml), as config
 * problems: every shard of every rule's queue must be bound, or events would fail at hand-off.
 */
export function missingQueueBindings(ruleQueues: readonly string[], queueShards: ReadonlyMap<string, number>, bound: (name: string) => boolean): string[] {
  const problems: string[] = [];
  for (const base of new Set(ruleQueues)) {
    for (const name of queueBindingNames(base, queueShards.get(base) ?? 1)) {
      if (!bound(name)) problems.push(`queue_shards.${base}: the queue producer binding ${name} is not bound to the Worker (add it to wrangler.toml [[queues.producers]])`);
    }
  }
  return problems;
}
