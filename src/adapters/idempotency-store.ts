// Client of the sharded dedup store: picks the shard of a key and forwards claim/complete/release.
import { shardOf } from "../core/idempotency";
import type { IdempotencyShardRpc, IdempotencyStore } from "../ports/idempotency";

export function idempotencyStore(namespace: DurableObjectNamespace<IdempotencyShardRpc>): IdempotencyStore {
  const stub = (keyHash: string) => namespace.get(namespace.idFromName(`idem-${shardOf(keyHash)}`));
  return {
    claim: async ({ keyHash, ...req }) => stub(keyHash).claim(req),
    complete: async (keyHash, key, answer) => {
      await stub(keyHash).complete(key, answer);
    },
    release: async (keyHash, key) => {
      await stub(keyHash).release(key);
    },
    alias: async (aliasHash, alias, owner, windowMs) => stub(aliasHash).alias(alias, owner, windowMs),
    repoint: async (aliasHash, alias, owner, windowMs) => {
      await stub(aliasHash).repoint(alias, owner, windowMs);
    },
    peek: async (keyHash, key) => stub(keyHash).peek(key),
  };
}
