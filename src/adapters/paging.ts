// Newest-first paging shared by the storage backends: the `(at, id)` order (ids compared as SQLite
// compares TEXT, by UTF-8 bytes, which is code point order) and a page cut from `limit + 1` rows.
import type { Page, PageCursor } from "../ports/storage";

/** Compares strings by code point, as SQLite's BINARY collation compares their UTF-8 bytes. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const x = Array.from(a, (ch) => ch.codePointAt(0) ?? 0);
  const y = Array.from(b, (ch) => ch.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Sort order `(at DESC, id DESC)`. */
export function newestFirst(a: PageCursor, b: PageCursor): number {
  return b.at - a.at || compareText(b.id, a.id);
}

/** True when `key` comes after the cursor in newest-first order. */
export function isAfter(key: PageCursor, cursor: PageCursor | null): boolean {
  return cursor === null || newestFirst(cursor, key) < 0;
}

/** The first `limit` of up to `limit + 1` rows, with a cursor when more follow. */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => PageCursor): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}
