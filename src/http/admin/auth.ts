// Admin authentication, shared by the API and the console: `Authorization: Bearer` with ADMIN_TOKEN
// (scope admin) or a scoped ADMIN_TOKENS entry (its SHA-256 compared in constant time), else a valid
// Cloudflare Access assertion. With none of them configured the admin API does not exist (404).
import type { Context, MiddlewareHandler } from "hono";
import type { Principal } from "../../core/admin-scope";
import { adminEnabled, loadAdminAccess, type AdminAccess } from "../../config/admin-access";
import { log } from "../../log";
import type { AppEnv } from "../context";
import { problem } from "../problem";
import { ACCESS_HEADER, verifyAccess } from "./access";

const BEARER = /^Bearer[ \t]+([!-~]+)[ \t]*$/i;
export const ADMIN_TOKEN_ACTOR = "ADMIN_TOKEN";

const reported = new WeakSet<AdminAccess>();

/** The admin credentials configured in the bindings (problems logged once per isolate and value). */
export function adminAccessOf(c: Context<AppEnv>): AdminAccess {
  const s = c.env.ports.secrets;
  const access = loadAdminAccess(
    {
      ADMIN_TOKEN: s.get("ADMIN_TOKEN"),
      ADMIN_TOKENS: s.get("ADMIN_TOKENS"),
      ACCESS_TEAM_DOMAIN: s.get("ACCESS_TEAM_DOMAIN"),
      ACCESS_AUD: s.get("ACCESS_AUD"),
      ACCESS_SCOPES: s.get("ACCESS_SCOPES"),
      ACCESS_JWKS_URL: s.get("ACCESS_JWKS_URL"),
    },
    c.get("config").allowPrivateNetworks,
  );
  if (access.problems.length > 0 && !reported.has(access)) {
    reported.add(access);
    log("error", "admin_access_config_invalid", { problems: access.problems });
  }
  return access;
}

export type AuthResult = { kind: "ok"; principal: Principal } | { kind: "unauthorized"; reason: string } | { kind: "unavailable" };

/** The principal of a presented token: ADMIN_TOKEN, or the scoped token whose SHA-256 matches. */
export async function tokenPrincipal(access: AdminAccess, presented: string): Promise<Principal | null> {
  if (access.adminToken !== undefined && (await sameToken(presented, access.adminToken))) return { actor: ADMIN_TOKEN_ACTOR, via: "token", scope: "admin" };
  if (access.tokens.length === 0) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(presented)));
  let found: Principal | null = null;
  for (const t of access.tokens) {
    if (crypto.subtle.timingSafeEqual(digest, hexBytes(t.token_sha256)) && found === null) found = { actor: t.name, via: "token", scope: t.scope };
  }
  return found;
}

/** Bearer first (a wrong one is refused even beside an Access assertion), then Access. */
export async function authenticate(c: Context<AppEnv>, access: AdminAccess): Promise<AuthResult> {
  const header = c.req.header("Authorization");
  if (header !== undefined) {
    const presented = BEARER.exec(header)?.[1];
    if (presented === undefined) return { kind: "unauthorized", reason: "malformed" };
    const principal = await tokenPrincipal(access, presented);
    return principal === null ? { kind: "unauthorized", reason: "mismatch" } : { kind: "ok", principal };
  }
  const assertion = c.req.header(ACCESS_HEADER);
  if (assertion === undefined || access.access === null) return { kind: "unauthorized", reason: "missing" };
  const verdict = await verifyAccess(c.env.ports, access.access, assertion);
  if (verdict.kind === "unavailable") return verdict;
  if (verdict.kind === "invalid") return { kind: "unauthorized", reason: `access_${verdict.reason}` };
  return { kind: "ok", principal: verdict.principal };
}

export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const access = adminAccessOf(c);
    if (!adminEnabled(access)) return problem(c, { kind: "not-found" });
    if (!(await c.env.ports.adminRateLimit.allow(c.req.header("CF-Connecting-IP")))) {
      log("warn", "admin_rate_limited", { trace_id: c.get("trace").traceId });
      return problem(c, { kind: "rate-limited", retryAfterS: 60, detail: "Too many admin requests from this address; retry later." });
    }
    const result = await authenticate(c, access);
    if (result.kind === "unavailable") return problem(c, { kind: "unavailable", retryAfterS: 5, detail: "The sign-in keys cannot be fetched right now; retry later." });
    if (result.kind === "unauthorized") {
      log("warn", "admin_unauthorized", { trace_id: c.get("trace").traceId, method: c.req.method, reason: result.reason });
      return problem(c, { kind: "unauthorized" });
    }
    c.set("principal", result.principal);
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  };
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Compares SHA-256 digests with timingSafeEqual, so neither the content nor the length leaks. */
export async function sameToken(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(presented)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
