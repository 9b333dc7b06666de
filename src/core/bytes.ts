// Byte views with free room around them in their buffer, so that a short signed prefix (a scheme's
// `{id}.{timestamp}.`) and suffix (Box's timestamp, Trello's URL) can be joined to a body without copying it.

/** Room reserved in front of a body read from a request: the longest prefix a scheme writes. */
export const PREFIX_ROOM = 320;

/** Room reserved after a body read from a request: a signed suffix up to this long joins in place. */
export const SUFFIX_ROOM = 256;

/** Views created by `viewWithRoom`, and how many free bytes precede each in its buffer. */
const room = new WeakMap<Uint8Array, number>();

/**
 * The `length` bytes at `offset` of `buffer`, whose `offset` bytes before them, and every byte after
 * them to the buffer's end, are free to overwrite.
 */
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

/**
 * `prefix`, `body` and `suffix` as one view: written around the body in place when its buffer has
 * room on both sides, else copied into a new buffer. Valid until the next join on the same body.
 */
export function joinAround(prefix: Uint8Array, body: Uint8Array, suffix: Uint8Array): Uint8Array {
  if (suffix.length === 0) return joinPrefix(prefix, body);
  const before = room.get(body);
  const after = body.buffer.byteLength - body.byteOffset - body.length;
  if (before !== undefined && prefix.length <= before && suffix.length <= after) {
    const joined = new Uint8Array(body.buffer, body.byteOffset - prefix.length, prefix.length + body.length + suffix.length);
    joined.set(prefix);
    joined.set(suffix, prefix.length + body.length);
    return joined;
  }
  const out = new Uint8Array(prefix.length + body.length + suffix.length);
  out.set(prefix);
  out.set(body, prefix.length);
  out.set(suffix, prefix.length + body.length);
  return out;
}
