// The cost run's counters inside workerd: one flat map of named counts per isolate (the Worker and
// its Durable Objects share it), plus SQLite cursors whose row counts are read when totals are taken.

const counts = new Map<string, number>();
const cursors: Array<{ prefix: string; name: string; query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }> = [];
/** R2 objects written and not yet deleted: key -> [bytes, written at ms]. */
const stored = new Map<string, [number, number]>();

export function add(name: string, n = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

/**
 * A SQL cursor of `objectClass`; its rowsRead/rowsWritten are final once it has been consumed. `ddl`:
 * a schema statement (counted apart: it writes rows only the first time an object ever runs).
 */
export function track(objectClass: string, query: string, cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
  const ddl = /^\s*CREATE\s/i.test(query);
  cursors.push({ prefix: ddl ? "do_ddl" : "do", name: objectClass, query: query.replace(/\s+/g, " ").trim().slice(0, 80), cursor });
}

export function r2Stored(key: string, bytes: number): void {
  stored.set(key, [bytes, Date.now()]);
}

export function r2Deleted(key: string): void {
  const entry = stored.get(key);
  if (entry === undefined) return;
  add("r2.byte_seconds", (entry[0] * (Date.now() - entry[1])) / 1000);
  stored.delete(key);
}

/** All counts so far (cursor rows folded in); `reset` starts a new window. */
export function snapshot(reset: boolean): Record<string, number> {
  for (const { prefix, name, query, cursor } of cursors.splice(0)) {
    add(`${prefix}.rows_read.${name}`, cursor.rowsRead);
    add(`${prefix}.rows_written.${name}`, cursor.rowsWritten);
    // Per statement too (`do_sql.<written|read>.<Class>|<statement>`), to show where the rows go.
    if (prefix === "do_ddl") continue;
    if (cursor.rowsWritten > 0) add(`do_sql.written.${name}|${query}`, cursor.rowsWritten);
    if (cursor.rowsRead > 0) add(`do_sql.read.${name}|${query}`, cursor.rowsRead);
  }
  const now = Date.now();
  const out = Object.fromEntries(counts);
  let pending = 0;
  for (const [bytes, at] of stored.values()) pending += (bytes * (now - at)) / 1000;
  out["r2.byte_seconds_pending"] = pending;
  if (reset) counts.clear();
  return out;
}

/** Bytes a value takes in a queue message or log line, roughly (strings as UTF-16 length). */
export function approxBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === "string") return value.length;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return 8;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (depth > 8 || typeof value !== "object") return 8;
  let sum = 2;
  for (const [k, v] of Object.entries(value)) sum += k.length + 2 + approxBytes(v, depth + 1);
  return sum;
}
