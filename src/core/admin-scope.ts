// Who may do what on the admin API and console: three nested scopes (read < operate < admin) and
// the principal a request authenticated as (a token's name or an Access identity, with its scope).

export const ADMIN_SCOPES = ["read", "operate", "admin"] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** How a principal authenticated: a bearer token (ADMIN_TOKEN or ADMIN_TOKENS) or Cloudflare Access. */
export type PrincipalVia = "token" | "access";

export interface Principal {
  /** Recorded in the audit log: `ADMIN_TOKEN`, a scoped token's name, or an Access email. */
  actor: string;
  via: PrincipalVia;
  /** null: authenticated, but granted nothing (an Access user outside ACCESS_SCOPES with default "none"). */
  scope: AdminScope | null;
}

/** True when `held` includes `needed` (each scope includes the ones before it). */
export function grants(held: AdminScope | null, needed: AdminScope): boolean {
  return held !== null && ADMIN_SCOPES.indexOf(held) >= ADMIN_SCOPES.indexOf(needed);
}

/** The widest of several scopes (null when none). */
export function widest(scopes: readonly (AdminScope | null)[]): AdminScope | null {
  let best: AdminScope | null = null;
  for (const s of scopes) if (s !== null && (best === null || ADMIN_SCOPES.indexOf(s) > ADMIN_SCOPES.indexOf(best))) best = s;
  return best;
}
