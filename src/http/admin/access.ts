// Cloudflare Access for the admin API and console: the `Cf-Access-Jwt-Assertion` header verified
// (core/access-jwt) with the team's keys from the JWKS port, cached per isolate for an hour and
// refetched on an unknown `kid` at most once every 10 s; the identity's scope from ACCESS_SCOPES.
import { importRsaKey, parseJwt, verifyJwt, type JwtFailure } from "../../core/access-jwt";
import type { Principal } from "../../core/admin-scope";
import { accessScope, type AccessSettings } from "../../config/admin-access";
import type { Ports } from "../../ports";
import { errorMessage, log } from "../../log";

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";
export const ACCESS_SKEW_S = 60;
const KEYS_MAX_AGE_MS = 3_600_000;
const REFETCH_MIN_MS = 10_000;

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}

const cache = new Map<string, KeySet>();

/** Tests: forget the isolate's cached keys. */
export function forgetAccessKeys(): void {
  cache.clear();
}

async function fetchKeys(ports: Pick<Ports, "jwks" | "clock">, url: string): Promise<KeySet> {
  const jwks = await ports.jwks.keys(url);
  const keys = new Map<string, CryptoKey>();
  for (const jwk of jwks) {
    const kid = (jwk as { kid?: unknown }).kid;
    const key = typeof kid === "string" ? await importRsaKey(jwk) : null;
    if (typeof kid === "string" && key !== null) keys.set(kid, key);
  }
  const set = { keys, fetchedAt: ports.clock.now() };
  cache.set(url, set);
  return set;
}

/** The key for `kid`: cached, or after one refetch (unless the keys were fetched moments ago). */
async function keyFor(ports: Pick<Ports, "jwks" | "clock">, url: string, kid: string): Promise<CryptoKey | null> {
  const now = ports.clock.now();
  const cached = cache.get(url);
  const set = cached === undefined || now - cached.fetchedAt >= KEYS_MAX_AGE_MS ? await fetchKeys(ports, url) : cached;
  const key = set.keys.get(kid);
  if (key !== undefined) return key;
  // An unknown kid: the keys may have rotated. Fetch again, unless this request just did or another did moments ago.
  if (set !== cached || now - set.fetchedAt < REFETCH_MIN_MS) return null;
  return (await fetchKeys(ports, url)).keys.get(kid) ?? null;
}

export type AccessOutcome = { kind: "ok"; principal: Principal; expiresAt: number } | { kind: "invalid"; reason: JwtFailure | "unknown_kid" } | { kind: "unavailable" };

/** Verifies an Access assertion; `unavailable` when the team's keys cannot be fetched. */
export async function verifyAccess(ports: Pick<Ports, "jwks" | "clock">, settings: AccessSettings, assertion: string): Promise<AccessOutcome> {
  const jwt = parseJwt(assertion.trim());
  if ("error" in jwt) return { kind: "invalid", reason: jwt.error };
  let key: CryptoKey | null;
  try {
    key = await keyFor(ports, settings.certsUrl, jwt.kid);
  } catch (error) {
    log("error", "access_keys_unavailable", { error: errorMessage(error) });
    return { kind: "unavailable" };
  }
  if (key === null) return { kind: "invalid", reason: "unknown_kid" };
  const verdict = await verifyJwt(jwt, key, { audience: settings.audience, issuer: settings.issuer, nowMs: ports.clock.now(), skewS: ACCESS_SKEW_S });
  if (!verdict.ok) return { kind: "invalid", reason: verdict.reason };
  const { identity, groups, expiresAt } = verdict.identity;
  return { kind: "ok", principal: { actor: identity, via: "access", scope: accessScope(settings, identity, groups) }, expiresAt };
}
