// Client of the sharded dedup store: picks the shard of a key and forwards claim/complete/release.
import type { Env } from "../env";
import { shardOf } from "../core/idempotency";
import type { AliasResult, ClaimRequest, ClaimResult, PeekResult, StoredAnswer } from "../objects/idempotency-shard";

export type { AliasResult, ClaimResult, PeekResult, StoredAnswer };

export interface IdempotencyStore {
  claim(req: ClaimRequest & { keyHash: string }): Promise<ClaimResult>;
  complete(keyHash: string, key: string, answer: StoredAnswer): Promise<void>;
  release(keyHash: string, key: string): Promise<void>;
  alias(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<AliasResult>;
  repoint(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<void>;
  peek(keyHash: string, key: string): Promise<PeekResult>;
}

export function idempotencyStore(env: Env): IdempotencyStore {
  const stub = (keyHash: string) => env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`idem-${shardOf(keyHash)}`));
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
