// Client of the sharded dedup store: picks the shard of a key (core/dedup-shards: the configured count,
// and during a re-shard the old shard as the authority with the new one mirroring) and forwards calls.
import { dedupShardsOf, DEFAULT_DEDUP_SHARDS, type DedupSharding } from "../core/dedup-shards";
import type { IdempotencyShardRpc, IdempotencyStore } from "../ports/idempotency";

const UNSHARDED: DedupSharding = { shards: DEFAULT_DEDUP_SHARDS, previous: null };

/**
 * `sharding()`: the config's dedup sharding (read per call: a config change applies at once).
 * Writes (claim taken as new, complete, release, alias, repoint) reach the mirror too during a
 * re-shard; reads and decisions come from the authority only.
 */
export function idempotencyStore(
  namespace: DurableObjectNamespace<IdempotencyShardRpc>,
  sharding: () => DedupSharding = () => UNSHARDED,
  now: () => number = () => Date.now(),
): IdempotencyStore {
  const named = (name: string) => namespace.get(namespace.idFromName(name));
  const shards = (keyHash: string) => {
    const { authority, mirror } = dedupShardsOf(keyHash, sharding(), now());
    return { authority: named(authority), mirror: mirror === null ? null : named(mirror) };
  };
  return {
    claim: async ({ keyHash, ...req }) => {
      const { authority, mirror } = shards(keyHash);
      const result = await authority.claim(req);
      // The new shard learns the key while the old one decides, so it holds it when it takes over.
      if (result.kind === "new" && mirror !== null) await mirror.claim(req);
      return result;
    },
    complete: async (keyHash, key, answer) => {
      const { authority, mirror } = shards(keyHash);
      await Promise.all([authority.complete(key, answer), mirror?.complete(key, answer)]);
    },
    release: async (keyHash, key) => {
      const { authority, mirror } = shards(keyHash);
      await Promise.all([authority.release(key), mirror?.release(key)]);
    },
    alias: async (aliasHash, alias, owner, windowMs) => {
      const { authority, mirror } = shards(aliasHash);
      const result = await authority.alias(alias, owner, windowMs);
      if (result.kind === "new" && mirror !== null) await mirror.alias(alias, owner, windowMs);
      return result;
    },
    repoint: async (aliasHash, alias, owner, windowMs) => {
      const { authority, mirror } = shards(aliasHash);
      await Promise.all([authority.repoint(alias, owner, windowMs), mirror?.repoint(alias, owner, windowMs)]);
    },
    peek: async (keyHash, key) => shards(keyHash).authority.peek(key),
  };
}
