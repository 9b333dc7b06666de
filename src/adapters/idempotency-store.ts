// Client of the sharded dedup store: picks the shard of a key and forwards claim/complete/release.
import type { Env } from "../env";
import { shardOf } from "../core/idempotency";
import type { ClaimRequest, ClaimResult, StoredAnswer } from "../objects/idempotency-shard";

export type { ClaimResult, StoredAnswer };

export interface IdempotencyStore {
  claim(req: ClaimRequest & { keyHash: string }): Promise<ClaimResult>;
  complete(keyHash: string, key: string, answer: StoredAnswer): Promise<void>;
  release(keyHash: string, key: string): Promise<void>;
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
  };
}
