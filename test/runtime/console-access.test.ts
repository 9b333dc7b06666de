// The console with scopes: a Cloudflare Access assertion is the session (no login form), the header
// shows who you are, actions are hidden and refused below `operate`, scoped tokens log in with their
// scope, and console actions land in the audit log page with the operator's identity.
import { beforeEach, describe, expect, it } from "vitest";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import { forgetAccessKeys } from "../../src/http/admin/access";
import { accessEnv, accessJwt, callWith, fakeJwks, makeKey, sha256Hex, type TestKey } from "./access-helpers";
import { baseConfig, call, envWith, recordingQueue, testEnv, testEnvelope } from "./helpers";

const ORIGIN = "https://gateway.test";
const UI = `${ORIGIN}/admin/ui`;
const SCOPES = JSON.stringify({ users: { "olive@example.com": "operate" }, default: "read" });
let key: TestKey;
/**
 * One issue time for every assertion of the file: Access sends the same assertion for a whole session,
 * and the console's CSRF token under Access is derived from it, so a page and its form POST must carry
 * the same one (a fresh `iat` per request would cross a second boundary on a loaded machine).
 */
const ISSUED_MS = Date.now();

beforeEach(async () => {
  forgetAccessKeys();
  key ??= await makeKey("console-kid");
  await testEnv.DB.batch([testEnv.DB.prepare("DELETE FROM dead_letters"), testEnv.DB.prepare("DELETE FROM audit_log")]);
});

const env = (extra: Record<string, unknown> = {}) =>
  envWith(baseConfig(), { ADMIN_TOKEN: undefined, DELIVERY_QUEUE: recordingQueue().queue, ...accessEnv({ ACCESS_SCOPES: SCOPES }), ...extra });

async function asUser(email: string, path: string, form?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { "Cf-Access-Jwt-Assertion": await accessJwt(key, { email, nowMs: ISSUED_MS }) };
  let init: RequestInit = { headers };
  if (form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    headers["Origin"] = ORIGIN;
    init = { method: "POST", headers, body: new URLSearchParams(form).toString() };
  }
  return callWith(new Request(`${UI}${path}`, init), env(), fakeJwks([key.jwk]));
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

async function seed(): Promise<string> {
  const envelope = testEnvelope({}, "msg_CONSOLE");
  await d1DeadLetterStore(testEnv.DB).write({ envelope, reason: "exhausted", attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt: Date.now() });
  return envelope.id;
}

describe("console behind Cloudflare Access", () => {
  it("needs no login form and shows the operator's email and scope", async () => {
    const res = await asUser("Olive@Example.com", "");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Signed in as <b>olive@example.com</b> (operate)");
    expect(html).toContain('href="/cdn-cgi/access/logout"');
    expect((await asUser("olive@example.com", "/login")).status).toBe(303);
  });

  it("sends a request without a valid assertion to the login form", async () => {
    const res = await callWith(new Request(`${UI}`, { headers: { "Cf-Access-Jwt-Assertion": "forged.jwt.value" } }), env(), fakeJwks([key.jwk]));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/ui/login");
  });

  it("hides replay and delete from a read-only user and refuses their POST with 403", async () => {
    const id = await seed();
    const html = await (await asUser("reader@example.com", `/dlq/${id}`)).text();
    expect(html).toContain("(read)");
    expect(html).not.toContain("Replay…");
    expect(html).not.toMatch(/Delete…/);
    const refused = await asUser("reader@example.com", `/dlq/${id}/replay`, { _csrf: csrfOf(html) });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("needs the operate scope");
    expect((await testEnv.DB.prepare("SELECT COUNT(*) AS n FROM audit_log").first<{ n: number }>())?.n).toBe(0);
  });

  it("lets an operator replay and reset, and shows both on the audit page with their email", async () => {
    const id = await seed();
    const page = await (await asUser("olive@example.com", `/dlq/${id}`)).text();
    expect(page).toContain("Replay…");
    expect((await asUser("olive@example.com", `/dlq/${id}/replay`, { _csrf: csrfOf(page) })).status).toBe(303);
    expect((await asUser("olive@example.com", "/endpoints/profiles/reset", { _csrf: csrfOf(page) })).status).toBe(303);
    // A CSRF token of another identity does not pass.
    const other = await (await asUser("reader@example.com", "")).text();
    expect((await asUser("olive@example.com", "/endpoints/profiles/reset", { _csrf: csrfOf(other) })).status).toBe(403);
    const rows = await testEnv.DB.prepare("SELECT actor, actor_via, channel, action, target, result FROM audit_log ORDER BY action").all();
    expect(rows.results).toEqual([
      { actor: "olive@example.com", actor_via: "access", channel: "console", action: "dead_letter.replay", target: id, result: "queued" },
      { actor: "olive@example.com", actor_via: "access", channel: "console", action: "endpoint.reset", target: "profiles", result: "ok" },
    ]);
    const audit = await (await asUser("reader@example.com", "/audit?actor=olive%40example.com")).text();
    expect(audit).toContain("dead_letter.replay");
    expect(audit).toContain("endpoint.reset");
    expect(audit).toContain("console, access");
  });
});

describe("console with scoped tokens", () => {
  it("logs a read token in with its scope and hides the bulk replay", async () => {
    const digest = await sha256Hex("viewer-token-123456");
    const e = envWith(baseConfig(), { ADMIN_TOKEN: undefined, ADMIN_TOKENS: JSON.stringify([{ name: "viewer", token_sha256: digest, scope: "read" }]) });
    await seed();
    const login = await call(
      new Request(`${UI}/login`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN }, body: "token=viewer-token-123456" }),
      e,
    );
    expect(login.status).toBe(303);
    const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^__Secure-hookgate_console=v2\./);
    const html = await (await call(new Request(`${UI}/dlq`, { headers: { Cookie: cookie } }), e)).text();
    expect(html).toContain("Signed in as <b>viewer</b> (read)");
    expect(html).not.toContain("Replay all");
    // A cookie naming another token, or with the name changed, is not a session.
    const forged = cookie.replace(".viewer.", ".ADMIN_TOKEN.");
    expect((await call(new Request(`${UI}/dlq`, { headers: { Cookie: forged } }), e)).status).toBe(303);
  });
});
