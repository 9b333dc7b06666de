// Reads a request body under a byte limit, counting what is actually streamed: a declared
// Content-Length is checked first, chunked bodies and lying lengths are cut off at the limit.

export type BodyRead =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "too_large" }
  | { kind: "bad_length"; detail: string };

const DIGITS = /^[0-9]{1,16}$/;

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
  if (declared === null) {
    await discard(request);
    return { kind: "bad_length", detail: "Content-Length must be a non-negative integer." };
  }
  if (declared !== undefined && declared > limit) {
    await discard(request);
    return { kind: "too_large" };
  }
  const stream = request.body;
  if (stream === null) return { kind: "ok", bytes: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { kind: "too_large" };
    }
    chunks.push(value);
  }
  if (declared !== undefined && total !== declared) {
    return { kind: "bad_length", detail: "The body length does not match Content-Length." };
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return { kind: "ok", bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "ok", bytes };
}

async function discard(request: Request): Promise<void> {
  await request.body?.cancel().catch(() => undefined);
}
