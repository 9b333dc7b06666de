// Console login and logout: the admin token typed into a form (compared in constant time, never
// logged or echoed back) starts a session cookie; logging out clears it.
import type { Hono } from "hono";
import { sameToken } from "../admin/auth";
import { log } from "../../log";
import { adminTokenOf, formOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { Layout, page } from "./layout";
import { CONSOLE_PATH, endSession, readSession, setFlash, startSession, takeFlash } from "./session";

export function registerLogin(app: Hono<ConsoleEnv>): void {
  app.get("/login", async (c) => {
    if ((await readSession(c, adminTokenOf(c))) !== null) return c.redirect(CONSOLE_PATH, 303);
    return loginPage(c, takeFlash(c)?.text ?? null, 200);
  });

  app.post("/login", async (c) => {
    const presented = formOf(c)["token"] ?? "";
    if (presented === "" || !(await sameToken(presented, adminTokenOf(c)))) {
      log("warn", "admin_unauthorized", { trace_id: c.get("trace").traceId, method: "POST", reason: presented === "" ? "missing" : "mismatch", via: "console" });
      return loginPage(c, "That token is not the admin token.", 401);
    }
    await startSession(c, adminTokenOf(c));
    log("info", "console_login", { trace_id: c.get("trace").traceId });
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
          The gateway's <code>ADMIN_TOKEN</code> secret. The session lasts 8 hours.
        </p>
        <button type="submit">Log in</button>
      </form>
    </Layout>,
    status,
  );
}
