// Reads a request body under a byte limit, counting what is actually streamed: a declared
// Content-Length is checked first, chunked bodies and lying lengths are cut off at the limit.
// Bytes land once, in one buffer with room for a signed prefix before and suffix after them (core/bytes.ts).
// A refused body is left unread (or released mid-way) for the app to settle (http/drain.ts).
import { PREFIX_ROOM, SUFFIX_ROOM, viewWithRoom } from "../core/bytes";

export type BodyRead = { kind: "ok"; bytes: Uint8Array } | { kind: "too_large" } | { kind: "bad_length"; detail: string };

const DIGITS = /^[0-9]{1,16}$/;
/** First buffer size for a body of unknown length; it doubles as needed, up to the limit. */
const INITIAL_CAPACITY = 64 * 1024;

/** Validates a Content-Length header value: undefined when absent, null when malformed. */
export function declaredLength(header: string | null): number | undefined | null {
  if (header === null) return undefined;
  const value = header.trim();
  if (!DIGITS.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

export async function readBodyLimited(request: Request, limit: number): Promise<BodyRead> {
  const declared = declaredLength(request.headers.get("Content-Length"));
  if (declared === null) return { kind: "bad_length", detail: "Content-Length must be a non-negative integer." };
  if (declared !== undefined && declared > limit) return { kind: "too_large" };
  const stream = request.body;
  if (stream === null) return { kind: "ok", bytes: new Uint8Array(0) };
  const byob = byobReader(stream);
  const read = byob !== null ? await readInto(byob, declared, limit) : await readChunks(stream.getReader(), limit);
  if (read.kind !== "ok") return read;
  if (declared !== undefined && read.bytes.byteLength !== declared) {
    return { kind: "bad_length", detail: "The body length does not match Content-Length." };
  }
  return read;
}

function byobReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return stream.getReader({ mode: "byob" });
  } catch {
    return null; // a stream made in JS (tests): read it chunk by chunk
  }
}

/**
 * Reads straight into one buffer sized from Content-Length (plus one byte, to notice a body that
 * runs longer), in a few large reads. Grows (a copy) only for a body without or beyond its length.
 */
async function readInto(reader: ReadableStreamBYOBReader, declared: number | undefined, limit: number): Promise<BodyRead> {
  let capacity = Math.min(limit, declared ?? INITIAL_CAPACITY) + 1;
  let buffer = new ArrayBuffer(PREFIX_ROOM + capacity + SUFFIX_ROOM);
  let total = 0;
  for (;;) {
    if (total === capacity) {
      if (total > limit) {
        reader.releaseLock();
        return { kind: "too_large" };
      }
      capacity = Math.min(limit, capacity * 2) + 1;
      const grown = new ArrayBuffer(PREFIX_ROOM + capacity + SUFFIX_ROOM);
      new Uint8Array(grown).set(new Uint8Array(buffer, PREFIX_ROOM, total), PREFIX_ROOM);
      buffer = grown;
    }
    const { done, value } = await reader.read(new Uint8Array(buffer, PREFIX_ROOM + total, capacity - total));
    if (value !== undefined) {
      buffer = value.buffer as ArrayBuffer;
      total += value.byteLength;
    }
    if (done) break;
  }
  return { kind: "ok", bytes: viewWithRoom(buffer, PREFIX_ROOM, total) };
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.releaseLock();
      return { kind: "too_large" };
    }
    chunks.push(value);
  }
  const buffer = new ArrayBuffer(PREFIX_ROOM + total + SUFFIX_ROOM);
  const bytes = viewWithRoom(buffer, PREFIX_ROOM, total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "ok", bytes };
}
