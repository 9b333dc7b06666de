// One row of the model's table (a rate, its limit and target, the code it follows), and the spread of
// sample keys over shards and queues the rows share.
import { LIMITS, verdict, type Verdict } from "./limits";
import { queueIndexOf } from "./pending";
import { sampleKeys, spread } from "./spread";

export interface Row {
  scenario: string;
  what: string;
  unit: string;
  value: number;
  limit: number | null;
  target: number | null;
  verdict: Verdict;
  /** Where the figure comes from in the code. */
  code: string;
}

export const row = (scenario: string, what: string, unit: string, value: number, limit: number | null, target: number | null, code: string): Row => ({
  scenario,
  what,
  unit,
  value,
  limit,
  target,
  verdict: limit === null ? (target !== null && value > target ? "over target" : "ok") : verdict(value, limit, target ?? undefined),
  code,
});

export const OBJ = LIMITS.objectRequestsPerS.value;
export const Q = LIMITS.queueMessagesPerS.value;
const KEYS = sampleKeys(50_000);
const spreadCache = new Map<string, number>();

/** Fullest dedup shard's share of 50,000 sample keys, through the real shardOf. */
export function maxShare(buckets: number): number {
  return cached(`dedup-${buckets}`, () => spread(KEYS, buckets).maxShare);
}

/** Fullest queue's share of 50,000 sample message ids, through the queue choice (pending.ts). */
export function maxQueueShare(queues: number): number {
  return cached(`queue-${queues}`, () => spread(KEYS, queues, undefined, queueIndexOf).maxShare);
}

function cached(key: string, compute: () => number): number {
  let value = spreadCache.get(key);
  if (value === undefined) {
    value = compute();
    spreadCache.set(key, value);
  }
  return value;
}
