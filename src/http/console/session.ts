// Console sessions without server state: a cookie `v1.<id>.<expiry>.<mac>` MACed with ADMIN_TOKEN, or
// `v2.<id>.<expiry>.<name>.<mac>` MACed with a scoped token's hash (rotating the token ends its
// sessions), or a Cloudflare Access assertion on each request; a per-session CSRF token derived by HMAC
// from the same key; the same-origin check every POST must pass. Token comparisons are constant-time.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Principal } from "../../core/admin-scope";
import type { AdminAccess } from "../../config/admin-access";
import { ACCESS_HEADER, verifyAccess } from "../admin/access";
import { ADMIN_TOKEN_ACTOR, sameToken } from "../admin/auth";
import type { AppEnv } from "../context";

export const CONSOLE_PATH = "/admin/ui";
export const SESSION_COOKIE = "__Secure-hookgate_console";
export const SESSION_TTL_S = 8 * 3600;

export interface Session {
  id: string;
  expiresAt: number;
  csrf: string;
  principal: Principal;
}

const COOKIE = { path: CONSOLE_PATH, httpOnly: true, secure: true, sameSite: "Strict" } as const;
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

async function mac(adminToken: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(adminToken), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

/** The CSRF token of a session: HMAC(admin token, session id); forms carry it in `_csrf`. */
export function csrfToken(adminToken: string, sessionId: string): Promise<string> {
  return mac(adminToken, `hookgate-console-csrf.v1.${sessionId}`);
}

function sessionMac(key: string, id: string, expiresAt: number, name?: string): Promise<string> {
  return mac(key, name === undefined ? `hookgate-console-session.v1.${id}.${expiresAt}` : `hookgate-console-session.v2.${id}.${expiresAt}.${name}`);
}

/** The MAC key of a token principal's sessions: ADMIN_TOKEN, or the scoped token's SHA-256. */
function keyOf(access: AdminAccess, actor: string): string | undefined {
  if (actor === ADMIN_TOKEN_ACTOR) return access.adminToken;
  const token = access.tokens.find((t) => t.name === actor);
  return token === undefined ? undefined : `hookgate-scoped-token.${token.token_sha256}`;
}

/** Starts a session after a correct token: sets the cookie (HttpOnly, Secure, SameSite=Strict). */
export async function startSession(c: Context<AppEnv>, access: AdminAccess, principal: Principal): Promise<void> {
  const key = keyOf(access, principal.actor);
  if (key === undefined || principal.via !== "token") return;
  const runtime = c.env.ports.clock;
  const id = base64url(runtime.randomBytes(18));
  const expiresAt = Math.floor(runtime.now() / 1000) + SESSION_TTL_S;
  const value =
    principal.actor === ADMIN_TOKEN_ACTOR
      ? `v1.${id}.${expiresAt}.${await sessionMac(key, id, expiresAt)}`
      : `v2.${id}.${expiresAt}.${principal.actor}.${await sessionMac(key, id, expiresAt, principal.actor)}`;
  setCookie(c, SESSION_COOKIE, value, { ...COOKIE, maxAge: SESSION_TTL_S });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, COOKIE);
}

/**
 * The request's session: a valid Cloudflare Access assertion (then no cookie is needed), else the
 * cookie; null when both are absent, forged, from another token, or expired.
 */
export async function readSession(c: Context<AppEnv>, access: AdminAccess): Promise<Session | null> {
  const assertion = c.req.header(ACCESS_HEADER);
  if (access.access !== null && assertion !== undefined) {
    const verdict = await verifyAccess(c.env.ports, access.access, assertion);
    if (verdict.kind !== "ok") return null;
    const actor = verdict.principal.actor;
    return { id: "access", expiresAt: Math.floor(verdict.expiresAt / 1000), csrf: await mac(assertion, `hookgate-console-csrf.access.${actor}`), principal: verdict.principal };
  }
  const parts = (getCookie(c, SESSION_COOKIE) ?? "").split(".");
  const v2 = parts.length === 5 && parts[0] === "v2";
  if (!(v2 || (parts.length === 4 && parts[0] === "v1"))) return null;
  const [, id = "", expiry = ""] = parts;
  const name = v2 ? (parts[3] ?? "") : ADMIN_TOKEN_ACTOR;
  const presented = parts[parts.length - 1] ?? "";
  if (!/^[\w-]{16,64}$/.test(id) || !/^\d{1,12}$/.test(expiry) || (v2 && (name === ADMIN_TOKEN_ACTOR || !/^[\w.@-]{1,64}$/.test(name)))) return null;
  const key = keyOf(access, name);
  if (key === undefined) return null;
  const expiresAt = Number(expiry);
  if (!(await sameToken(presented, await sessionMac(key, id, expiresAt, v2 ? name : undefined)))) return null;
  if (expiresAt * 1000 <= c.env.ports.clock.now()) return null;
  const scope = name === ADMIN_TOKEN_ACTOR ? "admin" : (access.tokens.find((t) => t.name === name)?.scope ?? null);
  return { id, expiresAt, csrf: await csrfToken(key, id), principal: { actor: name, via: "token", scope } };
}

/** A POST's `_csrf` field against the session's token, in constant time. */
export function csrfValid(session: Session, presented: string | undefined): Promise<boolean> {
  return presented === undefined ? Promise.resolve(false) : sameToken(presented, session.csrf);
}

/**
 * Same-origin check for state-changing requests: `Origin` (else `Referer`) must name this origin, and
 * `Sec-Fetch-Site`, when sent, must be same-origin. A request with neither header is refused.
 */
export function sameOrigin(c: Context<AppEnv>): boolean {
  const own = new URL(c.req.url).origin;
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined && site !== "same-origin") return false;
  const origin = c.req.header("Origin");
  if (origin !== undefined) return origin === own;
  const referer = c.req.header("Referer");
  return referer !== undefined && (referer === own || referer.startsWith(`${own}/`));
}

/** A short-lived message for the page after a redirect (post/redirect/get). */
export const FLASH_COOKIE = "__Secure-hookgate_flash";

export function setFlash(c: Context<AppEnv>, flash: Flash): void {
  setCookie(c, FLASH_COOKIE, JSON.stringify(flash), { ...COOKIE, maxAge: 60 });
}

export interface Flash {
  kind: "ok" | "error";
  text: string;
}

/** Reads and clears the flash cookie. */
export function takeFlash(c: Context<AppEnv>): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (raw === undefined) return null;
  deleteCookie(c, FLASH_COOKIE, COOKIE);
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "object" && value !== null && "kind" in value && "text" in value && typeof value.text === "string") {
      return { kind: value.kind === "ok" ? "ok" : "error", text: value.text.slice(0, 300) };
    }
  } catch {
    return null;
  }
  return null;
}
