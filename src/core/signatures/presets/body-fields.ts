// Shared steps of the schemes whose signature covers fields of the body, not its bytes (Mailgun,
// Adyen): the body read once as text or JSON, a field's text as the provider signs it, and a match
// whose dedup hash is the whole body's (the replay digest stays that of the signed fields).
import { sha256Hex } from "../hmac";
import type { VerifyResult } from "../types";

/** Nothing: the signed message of these schemes is all in the prefix. */
export const NO_BYTES = new Uint8Array(0);

const decoder = new TextDecoder();

export function bodyText(body: Uint8Array): string {
  return decoder.decode(body);
}

/** The body as JSON, or undefined when it is not JSON. */
export function bodyJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(bodyText(body));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A signed field's text: a string as is, a finite number or a boolean as JSON writes it; else null. */
export function fieldText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return null;
}

/** `result` with the body's SHA-256 for dedup (the match hashed only the signed fields). */
export async function withBodyHash(result: VerifyResult, body: Uint8Array): Promise<VerifyResult> {
  return result.ok ? { ok: true, signatureDigest: result.signatureDigest, bodySha256: await sha256Hex(body) } : result;
}
