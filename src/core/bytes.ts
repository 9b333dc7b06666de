// Byte views with free room just before them in their buffer, so that a short signed prefix (a
// scheme's `{id}.{timestamp}.`) can be joined to a body without copying the body.

/** Room reserved in front of a body read from a request: the longest prefix a scheme writes. */
export const PREFIX_ROOM = 320;

/** Views created by `viewWithRoom`, and how many free bytes precede each in its buffer. */
const room = new WeakMap<Uint8Array, number>();

/** The `length` bytes at `offset` of `buffer`, whose `offset` bytes before them are free to overwrite. */
export function viewWithRoom(buffer: ArrayBuffer, offset: number, length: number): Uint8Array {
  const view = new Uint8Array(buffer, offset, length);
  room.set(view, offset);
  return view;
}

/**
 * `prefix` followed by `body`, as one view. When `body` has free room before it, the prefix is
 * written there and the body is not copied; otherwise the two are copied into a new buffer. The
 * returned view is valid until the next join on the same body.
 */
export function joinPrefix(prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const free = room.get(body) ?? 0;
  if (prefix.length <= free) {
    const joined = new Uint8Array(body.buffer, body.byteOffset - prefix.length, prefix.length + body.length);
    joined.set(prefix);
    return joined;
  }
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}
