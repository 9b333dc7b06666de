// Cloudflare Access JWTs, verified with WebCrypto only: parse (RS256 and a `kid` required, so
// `alg: none` and HMAC confusions never reach a key), the RSA signature, then the claims (audience,
// issuer, expiry and not-before with a bounded clock skew). Time comes in as an argument.

export interface ParsedJwt {
  kid: string;
  payload: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

export interface AccessIdentity {
  /** The user's email, or a service token's common name (client id). */
  identity: string;
  groups: string[];
  expiresAt: number;
}

export type JwtFailure = "malformed" | "unsupported_alg" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_audience" | "wrong_issuer" | "no_identity";

export type JwtVerdict = { ok: true; identity: AccessIdentity } | { ok: false; reason: JwtFailure };

export interface JwtExpectations {
  audience: string;
  issuer: string;
  nowMs: number;
  /** Allowed clock difference in seconds (at most 60). */
  skewS: number;
}

const MAX_TOKEN_CHARS = 16 * 1024;
const B64URL = /^[A-Za-z0-9_-]*$/;

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!B64URL.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

function jsonObject(bytes: Uint8Array | null): Record<string, unknown> | null {
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Splits and decodes a compact JWS; refuses anything but `alg: RS256` with a `kid`. */
export function parseJwt(token: string): ParsedJwt | { error: "malformed" | "unsupported_alg" } {
  if (token.length > MAX_TOKEN_CHARS) return { error: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3) return { error: "malformed" };
  const [h = "", p = "", s = ""] = parts;
  const header = jsonObject(fromBase64url(h));
  const payload = jsonObject(fromBase64url(p));
  const signature = fromBase64url(s);
  if (header === null || payload === null || signature === null) return { error: "malformed" };
  if (header["alg"] !== "RS256") return { error: "unsupported_alg" };
  const kid = header["kid"];
  if (typeof kid !== "string" || kid === "" || signature.length === 0) return { error: "malformed" };
  return { kid, payload, signingInput: new TextEncoder().encode(`${h}.${p}`), signature };
}

/** Imports one RSA signing key of a JWKS (null for keys of another type or use). */
export async function importRsaKey(jwk: JsonWebKey & { kid?: unknown; use?: unknown }): Promise<CryptoKey | null> {
  if (jwk.kty !== "RSA" || (jwk.alg !== undefined && jwk.alg !== "RS256") || (jwk.use !== undefined && jwk.use !== "sig")) return null;
  try {
    const { kty, n, e } = jwk;
    return await crypto.subtle.importKey("jwk", { kty, n, e, alg: "RS256", ext: true }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  } catch {
    return null;
  }
}

const seconds = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** Checks the signature with `key`, then the claims. */
export async function verifyJwt(jwt: ParsedJwt, key: CryptoKey, expect: JwtExpectations): Promise<JwtVerdict> {
  const valid = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, jwt.signature, jwt.signingInput);
  if (!valid) return { ok: false, reason: "bad_signature" };
  const claims = jwt.payload;
  const now = expect.nowMs / 1000;
  const skew = Math.min(60, Math.max(0, expect.skewS));
  const exp = seconds(claims["exp"]);
  if (exp === null || exp + skew <= now) return { ok: false, reason: "expired" };
  const nbf = seconds(claims["nbf"]) ?? seconds(claims["iat"]);
  if (nbf !== null && nbf - skew > now) return { ok: false, reason: "not_yet_valid" };
  const aud = claims["aud"];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expect.audience)) return { ok: false, reason: "wrong_audience" };
  if (claims["iss"] !== expect.issuer) return { ok: false, reason: "wrong_issuer" };
  const email = claims["email"];
  const commonName = claims["common_name"];
  const identity = typeof email === "string" && email !== "" ? email.toLowerCase() : typeof commonName === "string" && commonName !== "" ? commonName : null;
  if (identity === null) return { ok: false, reason: "no_identity" };
  const rawGroups = claims["groups"] ?? (typeof claims["custom"] === "object" && claims["custom"] !== null ? (claims["custom"] as Record<string, unknown>)["groups"] : undefined);
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === "string") : [];
  return { ok: true, identity: { identity, groups, expiresAt: exp * 1000 } };
}
