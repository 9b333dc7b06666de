// Who may use the admin API and console, from bindings (not GATEWAY_CONFIG): ADMIN_TOKEN (full
// access), ADMIN_TOKENS (named token hashes with a scope), and Cloudflare Access (ACCESS_TEAM_DOMAIN,
// ACCESS_AUD, ACCESS_SCOPES). Parsed once per isolate per distinct value; problems are reported, never secrets.
import * as z from "../core/zod";
import { ADMIN_SCOPES, widest, type AdminScope } from "../core/admin-scope";

const ScopeSchema = z.enum(ADMIN_SCOPES);

const ScopedTokensSchema = z
  .array(
    z.strictObject({
      name: z.string().check(z.regex(/^[A-Za-z0-9_.@-]{1,64}$/, { error: "must be 1-64 letters, digits or _ . @ -" })),
      token_sha256: z.pipe(
        z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, { error: "must be the token's SHA-256 as 64 hex digits" })),
        z.transform((hex) => hex.toLowerCase()),
      ),
      scope: ScopeSchema,
    }),
  )
  .check(
    z.maxLength(100),
    z.refine((list) => new Set(list.map((t) => t.name)).size === list.length, { error: "token names must be unique" }),
  );

const AccessScopesSchema = z.strictObject({
  users: z._default(z.record(z.string().check(z.minLength(1)), ScopeSchema), {}),
  groups: z._default(z.record(z.string().check(z.minLength(1)), ScopeSchema), {}),
  /** Everyone else Access lets through; "none" refuses them (403). */
  default: z._default(z.union([ScopeSchema, z.literal("none")]), "read"),
});

export type ScopedToken = z.output<typeof ScopedTokensSchema>[number];

export interface AccessSettings {
  audience: string;
  /** `https://<team>.cloudflareaccess.com`, the tokens' `iss`. */
  issuer: string;
  /** Where the team's signing keys are published. */
  certsUrl: string;
  users: ReadonlyMap<string, AdminScope>;
  groups: ReadonlyMap<string, AdminScope>;
  fallback: AdminScope | null;
}

export interface AdminAccess {
  adminToken: string | undefined;
  tokens: readonly ScopedToken[];
  access: AccessSettings | null;
  /** Why a binding was ignored (fail closed), for the logs; no values. */
  problems: string[];
}

export interface AdminBindings {
  ADMIN_TOKEN?: string | undefined;
  ADMIN_TOKENS?: string | undefined;
  ACCESS_TEAM_DOMAIN?: string | undefined;
  ACCESS_AUD?: string | undefined;
  ACCESS_SCOPES?: string | undefined;
  /** Test only: a loopback JWKS URL, honoured only with `allow_private_networks` (see docs/security.md). */
  ACCESS_JWKS_URL?: string | undefined;
}

/** True when any way into the admin API is configured (else it does not exist: 404). */
export function adminEnabled(a: AdminAccess): boolean {
  return a.adminToken !== undefined || a.tokens.length > 0 || a.access !== null;
}

/** The scope of an Access identity: its user entry, its groups', or the default (widest wins). */
export function accessScope(settings: AccessSettings, identity: string, groups: readonly string[]): AdminScope | null {
  const own = settings.users.get(identity.toLowerCase());
  const fromGroups = groups.map((g) => settings.groups.get(g) ?? null);
  const found = widest([own ?? null, ...fromGroups]);
  return found ?? settings.fallback;
}

const cache = new Map<string, AdminAccess>();

export function loadAdminAccess(b: AdminBindings, allowPrivateNetworks: boolean): AdminAccess {
  const key = JSON.stringify([b.ADMIN_TOKEN, b.ADMIN_TOKENS, b.ACCESS_TEAM_DOMAIN, b.ACCESS_AUD, b.ACCESS_SCOPES, b.ACCESS_JWKS_URL, allowPrivateNetworks]);
  let found = cache.get(key);
  if (found === undefined) {
    if (cache.size > 8) cache.clear();
    found = parse(b, allowPrivateNetworks);
    cache.set(key, found);
  }
  return found;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parse(b: AdminBindings, allowPrivateNetworks: boolean): AdminAccess {
  const problems: string[] = [];
  let tokens: ScopedToken[] = [];
  if (b.ADMIN_TOKENS !== undefined) {
    const parsed = ScopedTokensSchema.safeParse(json(b.ADMIN_TOKENS));
    if (parsed.success) tokens = parsed.data;
    else problems.push(`ADMIN_TOKENS ignored: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { adminToken: b.ADMIN_TOKEN, tokens, access: accessSettings(b, allowPrivateNetworks, problems), problems };
}

function accessSettings(b: AdminBindings, allowPrivateNetworks: boolean, problems: string[]): AccessSettings | null {
  if (b.ACCESS_TEAM_DOMAIN === undefined && b.ACCESS_AUD === undefined) return null;
  const team = teamHost(b.ACCESS_TEAM_DOMAIN ?? "");
  if (team === null || b.ACCESS_AUD === undefined) {
    problems.push("Cloudflare Access ignored: set both ACCESS_TEAM_DOMAIN (<team>.cloudflareaccess.com) and ACCESS_AUD");
    return null;
  }
  const scopes = AccessScopesSchema.safeParse(b.ACCESS_SCOPES === undefined ? {} : json(b.ACCESS_SCOPES));
  if (!scopes.success) {
    problems.push(`Cloudflare Access ignored: ACCESS_SCOPES: ${scopes.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return null;
  }
  const issuer = `https://${team}`;
  let certsUrl = `${issuer}/cdn-cgi/access/certs`;
  if (b.ACCESS_JWKS_URL !== undefined) {
    if (allowPrivateNetworks && isLoopbackUrl(b.ACCESS_JWKS_URL)) certsUrl = b.ACCESS_JWKS_URL;
    else problems.push("ACCESS_JWKS_URL ignored: honoured only for a loopback URL with allow_private_networks (tests)");
  }
  const users = new Map(Object.entries(scopes.data.users).map(([email, scope]) => [email.toLowerCase(), scope] as const));
  return {
    audience: b.ACCESS_AUD,
    issuer,
    certsUrl,
    users,
    groups: new Map(Object.entries(scopes.data.groups)),
    fallback: scopes.data.default === "none" ? null : scopes.data.default,
  };
}

/** `<team>.cloudflareaccess.com` from `team`, that host, or an https URL of it; null otherwise. */
export function teamHost(value: string): string | null {
  const host = value
    .trim()
    .replace(/^https:\/\//i, "")
    .replace(/\/+$/, "")
    .toLowerCase();
  if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(host)) return `${host}.cloudflareaccess.com`;
  return /^[a-z0-9][a-z0-9-]{0,62}\.cloudflareaccess\.com$/.test(host) ? host : null;
}

function isLoopbackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]");
  } catch {
    return false;
  }
}
