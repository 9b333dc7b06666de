// The wire form of a page cursor (`next_cursor`, `?cursor=`): opaque, URL-safe base64 of `[at, id]`,
// the sort key of a page's last row. Stores take and return it decoded (ports/storage PageCursor).
import type { PageCursor } from "../../ports/storage";

export function encodeCursor(cursor: PageCursor): string {
  return btoa(JSON.stringify([cursor.at, cursor.id]))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/** The cursor, or null when the text is not one this API handed out. */
export function decodeCursor(text: string): PageCursor | null {
  try {
    const value: unknown = JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(value) && typeof value[0] === "number" && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return { at: value[0], id: value[1] };
    }
  } catch {
    return null;
  }
  return null;
}

/** An attempt-log cursor (`next_cursor` of GET /admin/endpoints/{name}/attempts): the last row's seq; null when not one. */
export function decodeSeqCursor(text: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : null;
}
