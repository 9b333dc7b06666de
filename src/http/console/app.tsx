// The operator console, mounted at /admin/ui: absent (404) without ADMIN_TOKEN and rate-limited per
// client IP like the admin API; strict security headers on every answer; every POST same-origin and,
// but for the login form, behind a session with its CSRF token; pages for routes, endpoints, dead letters.
import { Hono, type MiddlewareHandler } from "hono";
import { log } from "../../log";
import { readBodyLimited } from "../body";
import { problem } from "../problem";
import { registerDeadLetterActions } from "./dead-letter";
import { registerDeadLetterList } from "./dead-letters";
import { registerEndpointPage } from "./endpoint";
import { registerHistoryPages } from "./history";
import { Layout, page, styleHash } from "./layout";
import { registerLogin } from "./login";
import { registerOverview } from "./overview";
import { adminTokenOf, formOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { CONSOLE_PATH, csrfValid, readSession, sameOrigin } from "./session";

const LOGIN_PATH = `${CONSOLE_PATH}/login`;
const MAX_FORM_BYTES = 16 * 1024;

export function createConsoleApp(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use("*", securityHeaders());
  app.use("*", consoleGate());
  app.use("*", postGuard());
  registerLogin(app);
  registerOverview(app);
  registerDeadLetterList(app);
  registerDeadLetterActions(app);
  registerEndpointPage(app);
  registerHistoryPages(app);
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

/** Security headers on whatever the console answers. */
function securityHeaders(): MiddlewareHandler<ConsoleEnv> {
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    h.set("Content-Security-Policy", `default-src 'none'; style-src ${await styleHash()}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin");
  };
}

/** Like the admin API: 404 without ADMIN_TOKEN, and every request counts against the client IP's admin rate. */
function consoleGate(): MiddlewareHandler<ConsoleEnv> {
  return async function consoleGate(c, next) {
    const adminToken = c.env.ports.secrets.get("ADMIN_TOKEN");
    if (adminToken === undefined) return problem(c, { kind: "not-found" });
    if (!(await c.env.ports.adminRateLimit.allow(c.req.header("CF-Connecting-IP")))) {
      log("warn", "admin_rate_limited", { trace_id: c.get("trace").traceId, via: "console" });
      const res = await refuse(c, "Too many requests from this address. Wait a minute and try again.", 429);
      res.headers.set("Retry-After", "60");
      return res;
    }
    c.set("adminToken", adminToken);
    await next();
  };
}

/**
 * Every POST: same origin (Origin/Referer, Sec-Fetch-Site), a url-encoded form of at most 16 KiB;
 * then, except for the login form, a live session and its CSRF token. GETs need a session too.
 */
function postGuard(): MiddlewareHandler<ConsoleEnv> {
  return async function postGuard(c, next) {
    const isLogin = c.req.path === LOGIN_PATH;
    if (c.req.method === "POST") {
      if (!sameOrigin(c)) return refuse(c, "This form was not sent from this console (cross-origin request refused).");
      const form = await readForm(c);
      if (form instanceof Response) return form;
      c.set("form", form);
    }
    if (isLogin) return next();
    const session = await readSession(c, adminTokenOf(c));
    if (session === null) return c.redirect(LOGIN_PATH, 303);
    c.set("session", session);
    if (c.req.method === "POST" && !(await csrfValid(session, formOf(c)["_csrf"]))) {
      return refuse(c, "The form's security token is missing or stale. Reload the page and try again.");
    }
    return next();
  };
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
