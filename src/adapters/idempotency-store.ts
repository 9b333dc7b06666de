// Client of the sharded dedup store: picks the shard of a key (core/dedup-shards: the configured count,
// and during a re-shard the old shard as the authority with the new one mirroring) and forwards calls.
// Answers marked deferrable (async accepts) ride on the isolate's next claim to the same shard, or go in
// one call per shard when no claim is in flight or after DEFER_MS: no call of their own under load.
// Reserved-then-owned keys and the consumer's owner checks (one call per shard) follow the same re-shard rule.
import { dedupShardsOf, DEFAULT_DEDUP_SHARDS, type DedupSharding } from "../core/dedup-shards";
import type { ClaimResult, IdempotencyShardRpc, IdempotencyStore, OwnerVerdict, SettledKey } from "../ports/idempotency";

const UNSHARDED: DedupSharding = { shards: DEFAULT_DEDUP_SHARDS, previous: null };

/** The longest an answer waits for a claim to ride on (far below the lease its claim holds). */
export const DEFER_MS = 500;

interface Deferred extends SettledKey {
  sent: boolean;
  done: () => void;
  failed: (error: unknown) => void;
}

/** Per isolate (the point: answers of one request ride on another's claim), by shard name. */
const waiting = new Map<string, Deferred[]>();
/** Claims this isolate has asked for or holds (not yet answered other than "new", completed or released). */
let inflight = 0;

/**
 * `sharding()`: the config's dedup sharding (read per call: a config change applies at once).
 * Writes (claim taken as new, complete, release, alias, repoint) reach the mirror too during a
 * re-shard (answers then go at once, not deferred); reads and decisions come from the authority only.
 */
export function idempotencyStore(
  namespace: DurableObjectNamespace<IdempotencyShardRpc>,
  sharding: () => DedupSharding = () => UNSHARDED,
  now: () => number = () => Date.now(),
): IdempotencyStore {
  const stubOf = (name: string) => namespace.get(namespace.idFromName(name));
  const shards = (keyHash: string) => dedupShardsOf(keyHash, sharding(), now());

  /** Answers to one shard in one call, from the calling request's own context. */
  const send = (name: string, list: Deferred[]): void => {
    if (list.length === 0) return;
    stubOf(name)
      .completeMany(list.map(settled))
      .then(
        () => list.forEach((d) => d.done()),
        (error: unknown) => list.forEach((d) => d.failed(error)),
      );
  };
  const flush = (name: string): void => send(name, take(name));

  /**
   * A claim or reservation, with the shard's waiting answers riding on it; it holds a key (counted in
   * `inflight`) only when new. Answers whose ride failed are sent again on their own (storing twice is harmless).
   */
  const withRiders = async (authority: string, call: (riders: SettledKey[] | undefined) => Promise<ClaimResult>): Promise<ClaimResult> => {
    const riders = take(authority);
    inflight++;
    try {
      const result = await call(riders.length === 0 ? undefined : riders.map(settled));
      riders.forEach((d) => d.done());
      if (result.kind !== "new") inflight--;
      return result;
    } catch (error) {
      inflight--;
      send(authority, riders);
      throw error;
    }
  };
  /** A held key given back: with none left, the waiting answers go now. */
  const given = (): void => {
    inflight = Math.max(0, inflight - 1);
    if (inflight === 0) for (const shard of [...waiting.keys()]) flush(shard);
  };

  return {
    claim: async ({ keyHash, ...req }) => {
      const { authority, mirror } = shards(keyHash);
      const result = await withRiders(authority, async (riders) => {
        const answer: ClaimResult = await stubOf(authority).claim(req, riders);
        return answer;
      });
      // The new shard learns the key while the old one decides, so it holds it when it takes over.
      if (result.kind === "new" && mirror !== null) await stubOf(mirror).claim(req);
      return result;
    },
    complete: async (keyHash, key, answer, defer = false, own) => {
      inflight = Math.max(0, inflight - 1);
      const { authority, mirror } = shards(keyHash);
      if (!defer || mirror !== null) {
        const store = async (name: string) => {
          if (own === undefined) await stubOf(name).complete(key, answer);
          else await stubOf(name).own({ key, answer, ...own, waitMs: 0 });
        };
        await Promise.all([store(authority), mirror === null ? undefined : store(mirror)]);
        return;
      }
      let entry: Deferred | undefined;
      const delivered = new Promise<void>((done, failed) => {
        entry = { key, answer, ...(own === undefined ? {} : { own }), sent: false, done, failed };
        waiting.set(authority, [...(waiting.get(authority) ?? []), entry]);
      });
      if (inflight === 0) for (const shard of [...waiting.keys()]) flush(shard);
      else {
        let handle: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([delivered, new Promise<void>((resolve) => (handle = setTimeout(resolve, DEFER_MS)))]);
        clearTimeout(handle);
        if (entry !== undefined && !entry.sent) flush(authority);
      }
      await delivered;
    },
    release: async (keyHash, key) => {
      const { authority, mirror } = shards(keyHash);
      await Promise.all([stubOf(authority).release(key), mirror === null ? undefined : stubOf(mirror).release(key)]);
      given();
    },
    // Reservations live in the authority's memory only; the row (`own`) reaches the mirror too.
    reserve: async ({ keyHash, ...req }) => {
      const { authority } = shards(keyHash);
      return withRiders(authority, async (riders) => {
        const answer: ClaimResult = await stubOf(authority).reserve(req, riders);
        return answer;
      });
    },
    unreserve: async (keyHash, key, owner) => {
      await stubOf(shards(keyHash).authority).unreserve(key, owner);
      given();
    },
    checkOwners: async (checks) => {
      const byShard = new Map<string, number[]>();
      checks.forEach(({ keyHash }, at) => {
        const authority = shards(keyHash).authority;
        byShard.set(authority, [...(byShard.get(authority) ?? []), at]);
      });
      const verdicts: OwnerVerdict[] = [];
      await Promise.all(
        [...byShard].map(async ([authority, at]) => {
          const mine = at.map((i) => checks[i]).filter((c) => c !== undefined);
          const answers = await stubOf(authority).checkOwners(mine.map(({ keyHash: _hash, ...check }) => check));
          await Promise.all(
            answers.map((verdict, i) => {
              const check = mine[i];
              const index = at[i];
              if (check === undefined || index === undefined) return;
              verdicts[index] = verdict;
              // The new shard learns the owner while the old one decides (as with claims).
              const mirror = shards(check.keyHash).mirror;
              if (verdict.kind === "deliver" && mirror !== null) return stubOf(mirror).own({ ...check, waitMs: 0 });
            }),
          );
        }),
      );
      return verdicts;
    },
    alias: async (aliasHash, alias, owner, windowMs) => {
      const { authority, mirror } = shards(aliasHash);
      const result = await stubOf(authority).alias(alias, owner, windowMs);
      if (result.kind === "new" && mirror !== null) await stubOf(mirror).alias(alias, owner, windowMs);
      return result;
    },
    repoint: async (aliasHash, alias, owner, windowMs) => {
      const { authority, mirror } = shards(aliasHash);
      await Promise.all([stubOf(authority).repoint(alias, owner, windowMs), mirror === null ? undefined : stubOf(mirror).repoint(alias, owner, windowMs)]);
    },
    peek: async (keyHash, key) => stubOf(shards(keyHash).authority).peek(key),
  };
}

/** Takes a shard's waiting answers out of the buffer, marked as on their way. */
function take(name: string): Deferred[] {
  const list = waiting.get(name) ?? [];
  waiting.delete(name);
  for (const d of list) d.sent = true;
  return list;
}

function settled(d: Deferred): SettledKey {
  return { key: d.key, answer: d.answer, ...(d.own === undefined ? {} : { own: d.own }) };
}
