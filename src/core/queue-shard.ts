// Queue sharding: which of a queue's K producer bindings (BASE, BASE_1 … BASE_{K-1}) a message goes
// to — a stable hash of its message id, or of its ordering key so one key stays in one queue. Pure;
// the queue adapter, the config check and the load model (npm run scale-model) all use it.

/** Upper bound on K per base binding (a Worker may bind many queues; 32 × 4,000 msg/s is 128k/s). */
export const MAX_QUEUE_SHARDS = 32;

/** FNV-1a, 32 bits: spreads message ids and ordering keys evenly; stable across isolates and deploys. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard index (0 … shards-1) of a routing key; 0 when the base is not sharded. */
export function queueIndexOf(routingKey: string, shards: number): number {
  return shards <= 1 ? 0 : hash32(routingKey) % shards;
}

/** The producer binding of shard `index`: the base itself for 0, else `BASE_<index>`. */
export function shardBindingName(base: string, index: number): string {
  return index === 0 ? base : `${base}_${index}`;
}

/** Every producer binding a base spreads over, in shard order. */
export function queueBindingNames(base: string, shards: number): string[] {
  return Array.from({ length: Math.max(1, shards) }, (_, i) => shardBindingName(base, i));
}

/** What decides a message's queue: its ordering key when it has one, else its message id. */
export function routingKeyOf(message: { id: string; ordering: { key: string } | null }): string {
  return message.ordering === null ? message.id : `key:${message.ordering.key}`;
}

/**
 * The concrete producer binding of a message whose envelope names `base`. A retry or a replay of
 * the same message computes the same binding under the same K; under a changed K it still lands in
 * one of the current K (every shard runs the same consumer, so nothing depends on which).
 */
export function queueBindingFor(message: { id: string; queue: string; ordering: { key: string } | null }, shards: number): string {
  return shardBindingName(message.queue, queueIndexOf(routingKeyOf(message), shards));
}
