// Steps every scheme shares: bounded header splitting, timestamp parsing and tolerance, the final
// match of candidate MACs against each secret in rotation order, and the producer's MAC.
import { hmacSha256, importHmacKey, sha256Hex, timingSafeEqual, utf8 } from "./hmac";
import { joinAround } from "../bytes";
import type { HashName, SecretDecoding } from "./hmac";
import type { VerifyFailure, VerifyResult } from "./types";

/** Most signature entries one header may carry; more is refused before any crypto. */
export const MAX_SIGNATURE_ENTRIES = 16;

export function fail(reason: VerifyFailure): VerifyResult {
  return { ok: false, reason };
}

/**
 * Splits `value` on `separator`, dropping empty parts, or null when there are more than
 * MAX_SIGNATURE_ENTRIES parts. Stops scanning as soon as the cap is passed.
 */
export function splitEntries(value: string, separator: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  while (start <= value.length) {
    const end = value.indexOf(separator, start);
    const stop = end === -1 ? value.length : end;
    const part = value.slice(start, stop).trim();
    if (part !== "") {
      if (parts.length === MAX_SIGNATURE_ENTRIES) return null;
      parts.push(part);
    }
    if (end === -1) break;
    start = end + separator.length;
  }
  return parts;
}

/** `key=value` split at the first `=`; null without one. */
export function splitPair(entry: string, delimiter: string): [string, string] | null {
  const at = entry.indexOf(delimiter);
  return at === -1 ? null : [entry.slice(0, at), entry.slice(at + delimiter.length)];
}

const TIMESTAMP = /^[0-9]{1,12}$/;

/** Unix seconds as a decimal integer of 1 to 12 digits; null otherwise. */
export function parseTimestamp(text: string): number | null {
  return TIMESTAMP.test(text) ? Number(text) : null;
}

/**
 * Null when `timestampS` is within `toleranceS` of `nowMs` in either direction. Written so that a
 * NaN or infinite `nowMs`/`toleranceS` fails closed instead of accepting.
 */
export function checkTolerance(timestampS: number, nowMs: number, toleranceS: number): "stale_timestamp" | "future_timestamp" | null {
  const timestampMs = timestampS * 1000;
  const toleranceMs = toleranceS * 1000;
  if (!(timestampMs >= nowMs - toleranceMs)) return "stale_timestamp";
  if (!(timestampMs <= nowMs + toleranceMs)) return "future_timestamp";
  return null;
}

export interface MatchRequest {
  /** The scheme's name, part of the replay digest. */
  scheme: string;
  secrets: readonly string[];
  decoding: SecretDecoding;
  /** The MAC covers `prefix` (UTF-8, "" for body-only schemes) followed by the exact body bytes. */
  prefix: string;
  body: Uint8Array;
  /** Decoded candidate MACs from the header, already length-checked. */
  candidates: readonly Uint8Array[];
  /** The HMAC hash; SHA-256 unless named. */
  hash?: HashName;
  /** Text signed after the body (Box's timestamp, Trello's callback URL); none unless named. */
  suffix?: string;
}

/**
 * Tries every secret in order: one HMAC per secret over prefix + body + suffix (joined without
 * copying the body when it has room around it), compared in constant time with each candidate. Ok with the
 * body's SHA-256 and the digest of what was signed; `no_secret` when no secret gives a key.
 * A failure costs one pass over the body per secret; a match one more (the body's SHA-256).
 */
export async function matchSecrets(request: MatchRequest): Promise<VerifyResult> {
  const signed = signedBytes(request.prefix, request.body, request.suffix);
  let usableKeys = 0;
  for (const secret of request.secrets) {
    const key = await importHmacKey(secret, request.decoding, request.hash);
    if (key === null) continue;
    usableKeys++;
    const expected = await hmacSha256(key, signed);
    let matched = false;
    for (const candidate of request.candidates) matched = timingSafeEqual(expected, candidate) || matched;
    if (matched) {
      const bodySha256 = await sha256Hex(request.body);
      const covered = request.suffix === undefined ? request.prefix : `${request.prefix}\n${request.suffix.length}:${request.suffix}`;
      return { ok: true, signatureDigest: await signedDigest(request.scheme, covered, bodySha256), bodySha256 };
    }
  }
  return fail(usableKeys === 0 ? "no_secret" : "mismatch");
}

/**
 * The replay identity of an accepted message: SHA-256 of the scheme name, the signed prefix and the
 * body's SHA-256 (so the body is hashed once, and that hash also serves dedup). Two valid signatures
 * of the same message (secret rotation) share it, and header parts the MAC does not cover (the
 * `X-Timestamp` of hmac-sha256-hex) cannot be changed to evade it. Unambiguous: scheme names and
 * header values hold no newline, and the body hash has a fixed length.
 */
export function signedDigest(scheme: string, prefix: string, bodySha256: string): Promise<string> {
  return sha256Hex(utf8(`${scheme}\n${prefix}\n${bodySha256}`));
}

/**
 * A producer's HMAC-SHA256 over `prefix` (UTF-8) followed by `body`, keyed with `secret` read under
 * `decoding`. Throws when the secret yields no key (empty, or not base64 where base64 is required).
 */
export async function producerMac(secret: string, decoding: SecretDecoding, prefix: string, body: Uint8Array, hash?: HashName, suffix?: string): Promise<Uint8Array> {
  const key = await importHmacKey(secret, decoding, hash);
  if (key === null) throw new Error("a signing secret is empty or not in the scheme's format");
  return hmacSha256(key, signedBytes(prefix, body, suffix));
}

/** `prefix` + body + `suffix` as one view, joined around the body without copying it when its buffer has room. */
function signedBytes(prefix: string, body: Uint8Array, suffix: string | undefined): Uint8Array {
  return joinAround(utf8(prefix), body, utf8(suffix ?? ""));
}
