// Crypto and encoding primitives for the signature schemes: HMAC (SHA-1/256/512) and SHA-256 over Web Crypto,
// a bounded per-isolate cache of imported HMAC keys, constant-time MAC comparison, and hex/base64
// codecs whose decoders return null on malformed input instead of throwing.

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD; never throws). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The HMAC hash functions providers use. */
export type HashName = "SHA-1" | "SHA-256" | "SHA-512";

/** MAC length in bytes of each hash. */
export const MAC_BYTES: Readonly<Record<HashName, number>> = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 };

/** The HMAC of `data` under `key`, with the hash the key was imported for (SHA-256 unless named). */
export async function hmacSha256(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/**
 * Compares two MACs in time that depends only on their lengths, never on where they differ.
 * MAC lengths are public (always 32 bytes here), so the early length check leaks nothing.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * How a secret string becomes key bytes:
 * - `utf8`: the string's UTF-8 bytes (Stripe, GitHub, Shopify, Slack, hmac-sha256-hex).
 * - `standard-webhooks`: base64 after an optional `whsec_` prefix; not valid base64 -> no key.
 * - `standard-webhooks-or-utf8`: as above, falling back to the whole string's UTF-8 bytes when
 *   the part after the prefix is not valid base64 (the outbound signer's rule).
 * - `base64` / `hex`: the decoded bytes (Airtable's base64 MAC secret, Adyen's hex HMAC key).
 */
export type SecretDecoding = "utf8" | "standard-webhooks" | "standard-webhooks-or-utf8" | "base64" | "hex";

function secretBytes(secret: string, decoding: SecretDecoding): Uint8Array | null {
  if (decoding === "utf8") return utf8(secret);
  if (decoding === "base64") return decodeBase64(secret);
  if (decoding === "hex") return decodeHex(secret);
  const body = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const decoded = decodeBase64(body);
  if (decoded !== null && decoded.length > 0) return decoded;
  return decoding === "standard-webhooks-or-utf8" ? utf8(secret) : null;
}

const KEY_CACHE_LIMIT = 256;
const keyCache = new Map<string, Promise<CryptoKey | null>>();

/**
 * The HMAC-SHA256 key for a secret, imported once per isolate and decoding (least recently used
 * entries beyond 256 are dropped). Resolves to null when the secret yields no usable key bytes
 * (empty, or not base64 under `standard-webhooks`); never rejects.
 */
export function importHmacKey(secret: string, decoding: SecretDecoding, hash: HashName = "SHA-256"): Promise<CryptoKey | null> {
  const cacheKey = `${hash}:${decoding}:${secret}`;
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) {
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, cached);
    return cached;
  }
  const imported = importRaw(secretBytes(secret, decoding), hash);
  keyCache.set(cacheKey, imported);
  if (keyCache.size > KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  return imported;
}

async function importRaw(bytes: Uint8Array | null, hash: HashName): Promise<CryptoKey | null> {
  if (bytes === null || bytes.length === 0) return null;
  try {
    return await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash }, false, ["sign"]);
  } catch {
    return null;
  }
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Hex (either case) to bytes; null when the length is odd or a character is not hex. */
export function decodeHex(text: string): Uint8Array | null {
  if (!HEX.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Standard base64 (RFC 4648 section 4) to bytes; padding may be omitted. Null on any other character
 * (whitespace, URL-safe alphabet) or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return null;
  let binary: string;
  try {
    binary = atob(unpadded);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
