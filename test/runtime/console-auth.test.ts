// The operator console's gate through app.request: absent without ADMIN_TOKEN, login with the admin
// token, session cookie flags and expiry, CSRF and same-origin checks on every POST, security headers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import { createWorkerApp } from "../../src/wiring";
import { setLogSink } from "../../src/log";
import { systemRuntime, type Runtime } from "../../src/runtime";
import { baseConfig, envWith, testEnv } from "./helpers";

const TOKEN = "test-admin-token";
const ORIGIN = "https://gateway.test";
const UI = `${ORIGIN}/admin/ui`;

let now = Date.now();
const clock: Runtime = { ...systemRuntime, now: () => now };

function env(extra: Record<string, unknown> = {}): Env {
  return envWith(baseConfig(), extra);
}

async function send(request: Request, e: Env = env()): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createWorkerApp(clock).fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function get(path: string, cookie?: string): Request {
  return new Request(`${UI}${path}`, { headers: cookie === undefined ? {} : { Cookie: cookie } });
}

function post(path: string, form: Record<string, string>, opts: { cookie?: string; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...opts.headers };
  if (opts.cookie !== undefined) headers["Cookie"] = opts.cookie;
  return new Request(`${UI}${path}`, { method: "POST", headers, body: new URLSearchParams(form).toString() });
}

/** Logs in; returns the `name=value` of the session cookie, its full Set-Cookie line, and the page's CSRF token. */
async function login(e: Env = env()): Promise<{ cookie: string; setCookie: string; csrf: string }> {
  const res = await send(post("/login", { token: TOKEN }), e);
  expect(res.status).toBe(303);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-hookgate_console=")) ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  const page = await (await send(get("", cookie), e)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
  expect(csrf).not.toBe("");
  return { cookie, setCookie, csrf };
}

let logs: string[];
beforeEach(() => {
  now = Date.now();
  logs = [];
  setLogSink((line) => logs.push(line));
});
afterEach(() => setLogSink(undefined));

describe("console gate", () => {
  it("answers 404 on every console page and form when ADMIN_TOKEN is not bound", async () => {
    const e = { ...env(), ADMIN_TOKEN: undefined } as Env;
    for (const request of [get(""), get("/login"), get("/dlq"), get("/endpoints/profiles"), post("/login", { token: TOKEN }), post("/dlq/replay", {})]) {
      const res = await send(request, e);
      expect(res.status, `${request.method} ${request.url}`).toBe(404);
      expect(res.headers.get("Set-Cookie")).toBeNull();
    }
  });

  it("sends a visitor without a session to the login form, which has a labelled password field", async () => {
    for (const path of ["", "/dlq", "/dlq/msg_x", "/endpoints/profiles", "/nope"]) {
      const res = await send(get(path));
      expect(res.status, path).toBe(303);
      expect(res.headers.get("Location")).toBe("/admin/ui/login");
    }
    const page = await send(get("/login"));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<label for="token">Admin token<\/label>/);
    expect(html).toMatch(/<input id="token" name="token" type="password"/);
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
  });

  it("starts a session with an HttpOnly, Secure, SameSite=Strict cookie scoped to /admin/ui after the right token", async () => {
    const { cookie, setCookie } = await login();
    const attributes = setCookie.split(";").map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "secure", "samesite=strict", "path=/admin/ui", "max-age=28800"]));
    expect(cookie).not.toContain(TOKEN);
    const overview = await send(get("", cookie));
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("<h1>Overview</h1>");
    expect(logs.join("\n")).not.toContain(TOKEN);
  });

  it("refuses a wrong or empty token with 401 and no cookie, and never logs what was typed", async () => {
    for (const token of ["wrong-token", "test-admin-token-but-longer", ""]) {
      const res = await send(post("/login", { token }));
      expect(res.status).toBe(401);
      expect(res.headers.get("Set-Cookie")).toBeNull();
      expect(await res.text()).toContain("That token is not the admin token.");
    }
    expect(logs.filter((l) => l.includes('"event":"admin_unauthorized"'))).toHaveLength(3);
    expect(logs.join("\n")).not.toMatch(/wrong-token|test-admin-token/);
  });

  it("does not accept a tampered cookie, a cookie of another admin token, or an expired one", async () => {
    const { cookie } = await login();
    const [name, value = ""] = cookie.split("=");
    const parts = value.split(".");
    const tampered = `${name}=${[parts[0], parts[1], String(Number(parts[2]) + 3600), parts[3]].join(".")}`;
    expect((await send(get("", tampered))).status).toBe(303);
    expect((await send(get("", cookie), env({ ADMIN_TOKEN: "rotated-admin-token" }))).status).toBe(303);
    now += 8 * 3600_000 - 1000;
    expect((await send(get("", cookie))).status).toBe(200);
    now += 2000;
    expect((await send(get("", cookie))).status).toBe(303);
  });

  it("counts every console request against the client IP's admin rate, like the admin API (429 when over)", async () => {
    const keys: string[] = [];
    const limiter = { limit: async ({ key }: { key: string }) => ({ success: keys.push(key) < 2 }) };
    const e = env({ ADMIN_RATE_LIMIT: limiter });
    const request = (path: string) => new Request(`${UI}${path}`, { headers: { "CF-Connecting-IP": "203.0.113.9" } });
    expect((await send(request("/login"), e)).status).toBe(200);
    const limited = await send(request("/login"), e);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(limited.headers.get("Content-Security-Policy")).toMatch(/^default-src 'none'/);
    expect(await limited.text()).toContain("Too many requests from this address.");
    expect(keys).toEqual(["admin:203.0.113.9", "admin:203.0.113.9"]);
  });

  it("does not let the bearer token of the JSON API stand in for a console session", async () => {
    const res = await send(new Request(UI, { headers: { Authorization: `Bearer ${TOKEN}` } }));
    expect(res.status).toBe(303);
    const api = await send(new Request(`${ORIGIN}/admin/routes`, { headers: { Authorization: `Bearer ${TOKEN}` } }));
    expect(api.status).toBe(200);
  });
});

describe("forms", () => {
  const resetLogged = () => logs.some((l) => l.includes('"event":"breaker_reset"'));

  it("refuses a POST without the session's CSRF token, or with another session's", async () => {
    const mine = await login();
    const other = await login();
    expect(other.csrf).not.toBe(mine.csrf);
    const forms: Record<string, string>[] = [{}, { _csrf: "" }, { _csrf: other.csrf }, { _csrf: `${mine.csrf}x` }];
    for (const form of forms) {
      const res = await send(post("/endpoints/profiles/reset", form, { cookie: mine.cookie }));
      expect(res.status, JSON.stringify(form)).toBe(403);
      expect(await res.text()).toContain("security token is missing or stale");
    }
    expect(resetLogged()).toBe(false);
    const ok = await send(post("/endpoints/profiles/reset", { _csrf: mine.csrf }, { cookie: mine.cookie }));
    expect(ok.status).toBe(303);
    expect(resetLogged()).toBe(true);
  });

  it("refuses a cross-origin POST even with a valid session and token", async () => {
    const { cookie, csrf } = await login();
    const cases: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { Origin: ORIGIN, "Sec-Fetch-Site": "cross-site" },
      { Origin: "", Referer: "https://evil.example/admin/ui" },
    ];
    for (const headers of cases) {
      const request = post("/endpoints/profiles/reset", { _csrf: csrf }, { cookie, headers });
      if (headers["Origin"] === "") request.headers.delete("Origin");
      const res = await send(request);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toContain("cross-origin request refused");
    }
    const noHeaders = post("/endpoints/profiles/reset", { _csrf: csrf }, { cookie });
    noHeaders.headers.delete("Origin");
    expect((await send(noHeaders)).status).toBe(403);
    const byReferer = post("/endpoints/profiles/reset", { _csrf: csrf }, { cookie, headers: { Referer: `${UI}/endpoints/profiles` } });
    byReferer.headers.delete("Origin");
    expect((await send(byReferer)).status).toBe(303);
  });

  it("refuses a cross-origin login (login CSRF) and a POST that is not a form", async () => {
    const res = await send(post("/login", { token: TOKEN }, { headers: { Origin: "https://evil.example" } }));
    expect(res.status).toBe(403);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    const json = new Request(`${UI}/login`, { method: "POST", headers: { "Content-Type": "application/json", Origin: ORIGIN }, body: JSON.stringify({ token: TOKEN }) });
    expect((await send(json)).status).toBe(400);
  });

  it("logs out by expiring the cookie, with a message on the login page", async () => {
    const { cookie, csrf } = await login();
    const res = await send(post("/logout", { _csrf: csrf }, { cookie }));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/ui/login");
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-hookgate_console=")) ?? "";
    expect(cleared).toMatch(/^__Secure-hookgate_console=;.*Max-Age=0/i);
    const flash = res.headers.getSetCookie().find((c) => c.startsWith("__Secure-hookgate_flash=")) ?? "";
    const page = await send(get("/login", flash.split(";")[0]));
    expect(await page.text()).toContain("You are logged out.");
  });
});

describe("security headers", () => {
  it("sends a strict CSP whose style hash matches the inlined stylesheet, no-store, nosniff and no framing", async () => {
    const { cookie } = await login();
    for (const [path, withCookie] of [
      ["", true],
      ["/login", false],
      ["/dlq", true],
      ["/endpoints/profiles", true],
    ] as const) {
      const res = await send(get(path, withCookie ? cookie : undefined));
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      expect(csp, path).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+={0,2}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      const html = await res.text();
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style)));
      expect(csp).toContain(`'sha256-${btoa(String.fromCharCode(...digest))}'`);
      expect(html).not.toMatch(/<script|\son[a-z]+=|style="/i);
    }
  });

  it("answers an unknown console page with a 404 page inside the console", async () => {
    const { cookie } = await login();
    const res = await send(get("/no-such-page", cookie));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No such page.");
    const put = await send(new Request(`${UI}/login`, { method: "PUT", headers: { Cookie: cookie } }));
    expect(put.status).toBe(404);
    expect(testEnv.ADMIN_TOKEN).toBe(TOKEN);
  });
});
