// Console login and logout: ADMIN_TOKEN or a scoped token typed into a form (compared in constant
// time, never logged or echoed back) starts a session cookie; logging out clears it. With Cloudflare
// Access in front, its assertion is the session and the form is not needed.
import type { Hono } from "hono";
import { tokenPrincipal } from "../admin/auth";
import { log } from "../../log";
import { adminAccessOf, formOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { Layout, page } from "./layout";
import { CONSOLE_PATH, endSession, readSession, setFlash, startSession, takeFlash } from "./session";

export function registerLogin(app: Hono<ConsoleEnv>): void {
  app.get("/login", async (c) => {
    if ((await readSession(c, adminAccessOf(c))) !== null) return c.redirect(CONSOLE_PATH, 303);
    return loginPage(c, takeFlash(c)?.text ?? null, 200);
  });

  app.post("/login", async (c) => {
    const presented = formOf(c)["token"] ?? "";
    const principal = presented === "" ? null : await tokenPrincipal(adminAccessOf(c), presented);
    if (principal === null) {
      log("warn", "admin_unauthorized", { trace_id: c.get("trace").traceId, method: "POST", reason: presented === "" ? "missing" : "mismatch", via: "console" });
      return loginPage(c, "That token is not the admin token.", 401);
    }
    await startSession(c, adminAccessOf(c), principal);
    log("info", "console_login", { trace_id: c.get("trace").traceId, actor: principal.actor, scope: principal.scope });
    return c.redirect(CONSOLE_PATH, 303);
  });

  app.post("/logout", (c) => {
    endSession(c);
    setFlash(c, { kind: "ok", text: "You are logged out." });
    return c.redirect(`${CONSOLE_PATH}/login`, 303);
  });
}

function loginPage(c: ConsoleContext, message: string | null, status: 200 | 401) {
  return page(
    c,
    <Layout title="Log in" section="login" session={null} flash={message === null ? null : { kind: status === 401 ? "error" : "ok", text: message }}>
      <form method="post" action={`${CONSOLE_PATH}/login`}>
        <p>
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus size={40} aria-describedby="token-help" />
        </p>
        <p id="token-help" class="mut">
          The gateway's <code>ADMIN_TOKEN</code> secret, or a token listed in <code>ADMIN_TOKENS</code> (its scope applies). The session lasts 8 hours. Behind Cloudflare Access no
          token is needed.
        </p>
        <button type="submit">Log in</button>
      </form>
    </Layout>,
    status,
  );
}
