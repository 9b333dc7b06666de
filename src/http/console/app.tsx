// The operator console, mounted at /admin/ui: absent (404) without admin credentials and rate-limited
// per client IP like the admin API; strict security headers on every answer; every POST same-origin and,
// but for the login form, behind a session (token cookie or Cloudflare Access) with its CSRF token and
// the operate scope; pages for routes, endpoints, dead letters and the audit log.
import type { Hono, MiddlewareHandler } from "hono";
import { newHono } from "../hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { HSTS } from "../trace";
import { grants, type AdminScope } from "../../core/admin-scope";
import { adminEnabled } from "../../config/admin-access";
import { log } from "../../log";
import { adminAccessOf as loadAccess } from "../admin/auth";
import { readBodyLimited } from "../body";
import { problem } from "../problem";
import { registerDeadLetterActions } from "./dead-letter";
import { registerDeadLetterList } from "./dead-letters";
import { registerEndpointPage } from "./endpoint";
import { registerHistoryPages } from "./history";
import { Layout, page, styleHash } from "./layout";
import { registerLogin } from "./login";
import { registerOverview } from "./overview";
import { registerAuditPage } from "./audit";
import { adminAccessOf, formOf, sessionOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { CONSOLE_PATH, csrfValid, readSession, sameOrigin } from "./session";

const LOGIN_PATH = `${CONSOLE_PATH}/login`;
const MAX_FORM_BYTES = 16 * 1024;

export function createConsoleApp(): Hono<ConsoleEnv> {
  const app = newHono<ConsoleEnv>();
  app.use("*", securityHeaders());
  app.use("*", consoleGate());
  app.use("*", postGuard());
  registerLogin(app);
  registerOverview(app);
  registerDeadLetterList(app);
  registerDeadLetterActions(app);
  registerEndpointPage(app);
  registerHistoryPages(app);
  registerAuditPage(app);
  app.all("*", async (c) => {
    if (c.req.path === `${CONSOLE_PATH}/`) return c.redirect(CONSOLE_PATH, 303);
    return page(
      c,
      <Layout title="Not found" section="overview" session={c.get("session") ?? null}>
        <p>
          No such page. <a href={CONSOLE_PATH}>Back to the overview</a>.
        </p>
      </Layout>,
      404,
    );
  });
  return app;
}

/**
 * Security headers on whatever the console answers, by hono/secure-headers: a CSP without
 * 'unsafe-inline' (the stylesheet by hash), no framing, nosniff, same-origin referrers, the
 * gateway's HSTS; plus no-store. Built once per isolate, when the stylesheet's hash is known.
 */
function securityHeaders(): MiddlewareHandler<ConsoleEnv> {
  let headers: MiddlewareHandler | undefined;
  return async function securityHeaders(c, next) {
    headers ??= secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: [await styleHash()], imgSrc: ["data:"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      xFrameOptions: "DENY",
      referrerPolicy: "same-origin",
      strictTransportSecurity: HSTS,
    });
    await headers(c, async () => {
      await next();
      c.res.headers.set("Cache-Control", "no-store");
    });
  };
}

/** Like the admin API: 404 without admin credentials, and every request counts against the client IP's admin rate. */
function consoleGate(): MiddlewareHandler<ConsoleEnv> {
  return async function consoleGate(c, next) {
    const access = loadAccess(c);
    if (!adminEnabled(access)) return problem(c, { kind: "not-found" });
    if (!(await c.env.ports.adminRateLimit.allow(c.req.header("CF-Connecting-IP")))) {
      log("warn", "admin_rate_limited", { trace_id: c.get("trace").traceId, via: "console" });
      const res = await refuse(c, "Too many requests from this address. Wait a minute and try again.", 429);
      res.headers.set("Retry-After", "60");
      return res;
    }
    c.set("adminAccess", access);
    await next();
  };
}

/**
 * Every POST: same origin (Origin/Referer, Sec-Fetch-Site), a url-encoded form of at most 16 KiB;
 * then, except for the login form, a live session and its CSRF token, and (but for logging out) the
 * operate scope. GETs need a session and the read scope.
 */
function postGuard(): MiddlewareHandler<ConsoleEnv> {
  return async function postGuard(c, next) {
    const isLogin = c.req.path === LOGIN_PATH;
    if (c.req.method === "POST") {
      if (!(await originAllowed(c))) return refuse(c, "This form was not sent from this console (cross-origin request refused).");
      const form = await readForm(c);
      if (form instanceof Response) return form;
      c.set("form", form);
    }
    if (isLogin) return next();
    const session = await readSession(c, adminAccessOf(c));
    if (session === null) return c.redirect(LOGIN_PATH, 303);
    c.set("session", session);
    c.set("principal", session.principal);
    if (c.req.path !== `${CONSOLE_PATH}/logout`) {
      const refused = needsScope(c, c.req.method === "POST" ? "operate" : "read");
      if (refused !== null) return refused;
    }
    if (c.req.method === "POST" && !(await csrfValid(session, formOf(c)["_csrf"]))) {
      return refuse(c, "The form's security token is missing or stale. Reload the page and try again.");
    }
    return next();
  };
}

/** A refusal page when the session's scope does not include `scope` (an admin-only form calls it with "admin"). */
export function needsScope(c: ConsoleContext, scope: AdminScope): Promise<Response> | null {
  const principal = sessionOf(c).principal;
  if (grants(principal.scope, scope)) return null;
  log("warn", "admin_forbidden", { trace_id: c.get("trace").traceId, actor: principal.actor, needed: scope, via: "console" });
  return refuse(c, `Your access (${principal.scope ?? "none"}) does not include this action; it needs the ${scope} scope.`);
}

const honoCsrf = csrf();

/**
 * hono/csrf (Origin or Sec-Fetch-Site must say same-origin), then our stricter check of the same
 * headers (a cross-site Sec-Fetch-Site is refused even beside a matching Origin). A form with neither
 * header, which hono/csrf refuses, is judged by its Referer alone (sameOrigin).
 */
async function originAllowed(c: ConsoleContext): Promise<boolean> {
  if (c.req.header("Origin") !== undefined || c.req.header("Sec-Fetch-Site") !== undefined) {
    try {
      await honoCsrf(c, async () => undefined);
    } catch (error) {
      if (error instanceof HTTPException) return false;
      throw error;
    }
  }
  return sameOrigin(c);
}

async function readForm(c: ConsoleContext): Promise<Record<string, string> | Response> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return refuse(c, "Expected a form submission.", 400);
  const read = await readBodyLimited(c.req.raw, MAX_FORM_BYTES);
  if (read.kind !== "ok") return refuse(c, "The form is too large or malformed.", 400);
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(new TextDecoder().decode(read.bytes))) form[name] ??= value;
  return form;
}

function refuse(c: ConsoleContext, text: string, status: 400 | 403 | 429 = 403): Promise<Response> {
  const title = { 400: "Bad request", 403: "Request refused", 429: "Slow down" }[status];
  return page(
    c,
    <Layout title={title} section="login" session={null}>
      <p role="alert">{text}</p>
      <p>
        <a href={CONSOLE_PATH}>Back to the console</a>
      </p>
    </Layout>,
    status,
  );
}
