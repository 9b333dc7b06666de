// Which table of a dedup shard holds a key: keys live in tables by the end of their window, each
// table covering one bucket of expiry times, so a whole table is dropped once its bucket has passed
// (a DROP writes no rows; deleting keys one by one writes one row each). Pure.

/** The shortest bucket: a shard creates at most one key table per hour whatever the window. */
export const MIN_BUCKET_MS = 3_600_000;

/** Bucket width for a window: one window (at least an hour), so a key is looked up in at most two tables. */
export function bucketMs(windowMs: number): number {
  return Math.max(windowMs, MIN_BUCKET_MS);
}

/** The end (exclusive, ms) of the bucket that a key expiring at `expiresAt` under `windowMs` goes in. */
export function bucketEnd(expiresAt: number, windowMs: number): number {
  const width = bucketMs(windowMs);
  return (Math.floor(expiresAt / width) + 1) * width;
}

const PREFIX = "keys_";

/** The table of the bucket ending at `end`. */
export function keyTableName(end: number): string {
  return `${PREFIX}${end}`;
}

/** The bucket end a key table's name stands for, or null for any other name. */
export function keyTableEnd(name: string): number | null {
  if (!name.startsWith(PREFIX)) return null;
  const digits = name.slice(PREFIX.length);
  return /^[0-9]{1,16}$/.test(digits) ? Number(digits) : null;
}
