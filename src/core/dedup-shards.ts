// Dedup sharding: how many IdempotencyShard objects the keys spread over, the count a rate needs,
// and — during a re-shard — which shard is the authority for a key and which one mirrors it. Pure;
// the idempotency client and the load model (npm run scale-model) use it. Procedure: docs/sharding.md.

export const DEFAULT_DEDUP_SHARDS = 64;
export const MAX_DEDUP_SHARDS = 4096;
/** Calls a shard may take per second and stay well inside one object's ~1,000 requests/s. */
export const DEDUP_SHARD_BUDGET_PER_S = 500;

export interface DedupSharding {
  shards: number;
  /** A re-shard in progress: until `until` (ms), the old count stays the authority (see dedupShardsOf). */
  previous: { shards: number; until: number } | null;
}

/** Shard index from the first bytes of the key's SHA-256 (hex), spreading keys evenly. */
export function shardIndexOf(keyHashHex: string, shards: number): number {
  return parseInt(keyHashHex.slice(0, 8), 16) % shards;
}

/** The object name of shard `index` (the same name under any count: objects are reused, never orphaned). */
export function dedupShardName(index: number): string {
  return `idem-${index}`;
}

/**
 * Where a key is claimed at `now`: `authority` decides (new / duplicate / conflict / busy); `mirror`,
 * when set, also records a key the authority took as new, so that it is there when the new count
 * takes over at `until`. Before `until` the authority is the OLD shard — the one isolates still on the
 * old config use too — so no key is ever checked against a shard that has not seen its first claim.
 */
export function dedupShardsOf(keyHashHex: string, sharding: DedupSharding, now: number): { authority: string; mirror: string | null } {
  const current = dedupShardName(shardIndexOf(keyHashHex, sharding.shards));
  const previous = sharding.previous;
  if (previous === null || now >= previous.until) return { authority: current, mirror: null };
  const old = dedupShardName(shardIndexOf(keyHashHex, previous.shards));
  return { authority: old, mirror: old === current ? null : current };
}

/**
 * Shards an expected rate needs: each accepted event costs `callsPerEvent` shard calls (claim, plus
 * complete on sync answers), spread evenly; rounded up to a power of two, at least the default.
 */
export function recommendedDedupShards(eventsPerSecond: number, callsPerEvent = 2, budgetPerShard = DEDUP_SHARD_BUDGET_PER_S): number {
  const needed = Math.ceil((Math.max(0, eventsPerSecond) * callsPerEvent) / budgetPerShard);
  let shards = DEFAULT_DEDUP_SHARDS;
  while (shards < needed && shards < MAX_DEDUP_SHARDS) shards *= 2;
  return shards;
}

/** Calls per second one shard takes at a rate (the load model's figure; doubled for mirrored keys in a re-shard). */
export function dedupCallsPerShard(eventsPerSecond: number, shards: number, callsPerEvent = 2): number {
  return (eventsPerSecond * callsPerEvent) / Math.max(1, shards);
}
