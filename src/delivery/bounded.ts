// Runs a consumer batch's messages a few at a time instead of all at once: a Worker invocation has
// at most six outbound connections waiting for response headers (Cloudflare Workers limits), so the
// seventh delivery would wait inside the runtime with its timeout running and its guard lease held.

/** Deliveries one consumer invocation runs at once: the Workers limit of simultaneous open connections. */
export const DELIVERIES_AT_ONCE = 6;

/** Calls `fn` for every item, at most `limit` at a time; resolves when all have settled (never rejects unless `fn` does). */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every lane: each takes the next item when its previous one has settled.
  const queue = items[Symbol.iterator]();
  const lane = async (): Promise<void> => {
    for (let step = queue.next(); step.done !== true; step = queue.next()) await fn(step.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
