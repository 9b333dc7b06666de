// Client of the sharded dedup store: picks the shard of a key and forwards claim/complete/release.
// Answers marked deferrable (async accepts) ride on the isolate's next claim to the same shard, or
// go in one call per shard when no claim is in flight or after DEFER_MS: no call of their own under load.
import { shardOf } from "../core/idempotency";
import type { IdempotencyShardRpc, IdempotencyStore, SettledKey } from "../ports/idempotency";

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

export function idempotencyStore(namespace: DurableObjectNamespace<IdempotencyShardRpc>): IdempotencyStore {
  const shardName = (keyHash: string) => `idem-${shardOf(keyHash)}`;
  const stubOf = (name: string) => namespace.get(namespace.idFromName(name));

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

  return {
    claim: async ({ keyHash, ...req }) => {
      const name = shardName(keyHash);
      const riders = take(name);
      inflight++;
      try {
        const result = await stubOf(name).claim(req, riders.length === 0 ? undefined : riders.map(settled));
        riders.forEach((d) => d.done());
        if (result.kind !== "new") inflight--;
        return result;
      } catch (error) {
        inflight--;
        // The answers may not have reached the shard with this claim: sent again on their own
        // (storing an answer twice is harmless).
        send(name, riders);
        throw error;
      }
    },
    complete: async (keyHash, key, answer, defer = false) => {
      inflight = Math.max(0, inflight - 1);
      const name = shardName(keyHash);
      if (!defer) {
        await stubOf(name).complete(key, answer);
        return;
      }
      let entry: Deferred | undefined;
      const delivered = new Promise<void>((done, failed) => {
        entry = { key, answer, sent: false, done, failed };
        waiting.set(name, [...(waiting.get(name) ?? []), entry]);
      });
      if (inflight === 0) for (const shard of [...waiting.keys()]) flush(shard);
      else {
        let handle: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([delivered, new Promise<void>((resolve) => (handle = setTimeout(resolve, DEFER_MS)))]);
        clearTimeout(handle);
        if (entry !== undefined && !entry.sent) flush(name);
      }
      await delivered;
    },
    release: async (keyHash, key) => {
      inflight = Math.max(0, inflight - 1);
      await stubOf(shardName(keyHash)).release(key);
      if (inflight === 0) for (const shard of [...waiting.keys()]) flush(shard);
    },
    alias: async (aliasHash, alias, owner, windowMs) => stubOf(shardName(aliasHash)).alias(alias, owner, windowMs),
    repoint: async (aliasHash, alias, owner, windowMs) => {
      await stubOf(shardName(aliasHash)).repoint(alias, owner, windowMs);
    },
    peek: async (keyHash, key) => stubOf(shardName(keyHash)).peek(key),
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
  return { key: d.key, answer: d.answer };
}
