// Who may call the admin API: Cloudflare Access assertions (local RSA key, JWKS from a fake port:
// valid, expired, wrong audience, unknown kid, tampered, alg none), scoped tokens, and the scope
// matrix — every route of the OpenAPI document × every scope, 403 exactly when the scope is short.
import { beforeEach, describe, expect, it } from "vitest";
import { ADMIN_SCOPES, grants, type AdminScope } from "../../src/core/admin-scope";
import { forgetAccessKeys } from "../../src/http/admin/access";
import { systemRuntime, type Runtime } from "../../src/runtime";
import { accessEnv, accessJwt, AUD, callWith, fakeJwks, ISSUER, makeKey, sha256Hex, tamper, TEAM, type TestKey } from "./access-helpers";
import { baseConfig, call, envWith, expectProblem } from "./helpers";

let now = Date.now();
const clock: Runtime = { ...systemRuntime, now: () => now };
let key: TestKey;

beforeEach(async () => {
  now = Date.now();
  forgetAccessKeys();
  key ??= await makeKey("kid-1");
});

const statsRequest = (headers: Record<string, string>) => new Request("https://gateway.test/admin/stats", { headers });
const env = (extra: Record<string, unknown> = {}) => envWith(baseConfig(), { ADMIN_TOKEN: undefined, ...accessEnv(extra) });

describe("Cloudflare Access assertions", () => {
  it("accepts a valid assertion, fetching the team's keys once and caching them", async () => {
    const jwks = fakeJwks([key.jwk]);
    for (let i = 0; i < 3; i++) {
      const res = await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(key, { nowMs: now }) }), env(), jwks, clock);
      expect(res.status).toBe(200);
    }
    expect(jwks.urls).toEqual([`${ISSUER}/cdn-cgi/access/certs`]);
  });

  it("refuses an expired one past the 60 s skew, and accepts one within it", async () => {
    const jwks = fakeJwks([key.jwk]);
    const expiredAt = now - 10 * 60_000;
    const within = await accessJwt(key, { nowMs: expiredAt, claims: { exp: Math.floor((now - 30_000) / 1000) } });
    expect((await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": within }), env(), jwks, clock)).status).toBe(200);
    const expired = await accessJwt(key, { nowMs: expiredAt, claims: { exp: Math.floor((now - 61_000) / 1000) } });
    await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": expired }), env(), jwks, clock), 401, "unauthorized");
    const future = await accessJwt(key, { nowMs: now + 120_000 });
    await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": future }), env(), jwks, clock), 401, "unauthorized");
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    const jwks = fakeJwks([key.jwk]);
    for (const claims of [{ aud: ["another-application"] }, { iss: "https://other-team.cloudflareaccess.com" }]) {
      const jwt = await accessJwt(key, { nowMs: now, claims });
      await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": jwt }), env(), jwks, clock), 401, "unauthorized");
    }
  });

  it("refetches the keys once for an unknown kid, then answers 401 (and does not refetch again at once)", async () => {
    const jwks = fakeJwks([key.jwk]);
    expect((await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(key, { nowMs: now }) }), env(), jwks, clock)).status).toBe(200);
    now += 11_000;
    const stranger = await makeKey("kid-unknown");
    await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(stranger, { nowMs: now }) }), env(), jwks, clock), 401, "unauthorized");
    expect(jwks.urls).toHaveLength(2);
    await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(stranger, { nowMs: now }) }), env(), jwks, clock), 401, "unauthorized");
    expect(jwks.urls).toHaveLength(2);
    // A rotated key published later is picked up by the next refetch.
    jwks.keys_ = [key.jwk, stranger.jwk];
    now += 11_000;
    expect((await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(stranger, { nowMs: now }) }), env(), jwks, clock)).status).toBe(200);
    expect(jwks.urls).toHaveLength(3);
  });

  it("refuses a tampered signature, alg none, HS256 and garbage", async () => {
    const jwks = fakeJwks([key.jwk]);
    const good = await accessJwt(key, { nowMs: now });
    const [h, p] = good.split(".");
    const none = `${btoa(JSON.stringify({ alg: "none", kid: key.kid })).replace(/=+$/, "")}.${p ?? ""}.`;
    const hs = `${btoa(JSON.stringify({ alg: "HS256", kid: key.kid })).replace(/=+$/, "")}.${p ?? ""}.c2ln`;
    const forgedClaims = `${h ?? ""}.${btoa(JSON.stringify({ aud: [AUD], iss: ISSUER, email: "mallory@example.com", exp: 9e9 })).replace(/=+$/, "")}.${good.split(".")[2] ?? ""}`;
    for (const jwt of [tamper(good), none, hs, forgedClaims, "not-a-jwt", `${good}.extra`]) {
      await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": jwt }), env(), jwks, clock), 401, "unauthorized");
    }
  });

  it("answers 503 when the team's keys cannot be fetched", async () => {
    const failing = { keys: async () => Promise.reject(new Error("network down")) };
    await expectProblem(await callWith(statsRequest({ "Cf-Access-Jwt-Assertion": await accessJwt(key, { nowMs: now }) }), env(), failing, clock), 503, "unavailable");
  });

  it("ignores a JWKS URL override unless allow_private_networks and a loopback URL", async () => {
    const jwks = fakeJwks([key.jwk]);
    const header = { "Cf-Access-Jwt-Assertion": await accessJwt(key, { nowMs: now }) };
    await callWith(
      statsRequest(header),
      envWith(
        baseConfig({ allow_private_networks: false, endpoints: { profiles: { url: "https://profiles.example/hooks" }, payments: { url: "https://payments.example/pay" } } }),
        accessEnv({ ACCESS_JWKS_URL: "http://127.0.0.1:9/certs" }),
      ),
      jwks,
      clock,
    );
    forgetAccessKeys();
    await callWith(statsRequest(header), env({ ACCESS_JWKS_URL: "https://evil.example/certs" }), jwks, clock);
    forgetAccessKeys();
    await callWith(statsRequest(header), env({ ACCESS_JWKS_URL: "http://127.0.0.1:9/certs" }), jwks, clock);
    expect(jwks.urls).toEqual([
      `https://${TEAM}.cloudflareaccess.com/cdn-cgi/access/certs`,
      `https://${TEAM}.cloudflareaccess.com/cdn-cgi/access/certs`,
      "http://127.0.0.1:9/certs",
    ]);
  });

  it("maps identities to scopes by email, group and default", async () => {
    const jwks = fakeJwks([key.jwk]);
    const scopes = JSON.stringify({ users: { "Boss@Example.com": "admin" }, groups: { oncall: "operate" }, default: "none" });
    const reset = async (email: string, groups?: string[]) =>
      callWith(
        new Request("https://gateway.test/admin/endpoints/profiles/reset", {
          method: "POST",
          headers: { "Cf-Access-Jwt-Assertion": await accessJwt(key, { nowMs: now, email, ...(groups === undefined ? {} : { claims: { groups } }) }) },
        }),
        env({ ACCESS_SCOPES: scopes }),
        jwks,
        clock,
      );
    expect((await reset("boss@example.com")).status).toBe(200);
    expect((await reset("pager@example.com", ["oncall"])).status).toBe(200);
    await expectProblem(await reset("visitor@example.com"), 403, "forbidden");
  });
});

describe("scoped tokens and the scope matrix", () => {
  const TOKENS: Record<AdminScope, string> = { read: "read-token-0123456789", operate: "operate-token-0123456789", admin: "admin-token-0123456789" };

  async function tokensEnv() {
    const list = await Promise.all(ADMIN_SCOPES.map(async (scope) => ({ name: `${scope}-bot`, token_sha256: await sha256Hex(TOKENS[scope]), scope })));
    return envWith(baseConfig(), { ADMIN_TOKEN: undefined, ADMIN_TOKENS: JSON.stringify(list) });
  }

  it("answers 401 for an unknown token and ignores an invalid ADMIN_TOKENS (fail closed)", async () => {
    const e = await tokensEnv();
    await expectProblem(await call(statsRequest({ Authorization: "Bearer nope" }), e), 401, "unauthorized");
    const broken = envWith(baseConfig(), { ADMIN_TOKEN: "only-this", ADMIN_TOKENS: '[{"name":"x","token_sha256":"short","scope":"admin"}]' });
    expect((await call(statsRequest({ Authorization: "Bearer only-this" }), broken)).status).toBe(200);
  });

  it("gives each route of the OpenAPI document to its scope and wider, 403 forbidden below it", async () => {
    const e = await tokensEnv();
    const openapi = await call(new Request("https://gateway.test/admin/openapi.json", { headers: { Authorization: `Bearer ${TOKENS.read}` } }), e);
    const doc = (await openapi.json()) as { paths: Record<string, Record<string, { "x-required-scope": AdminScope; responses: Record<string, unknown> }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, scope: op["x-required-scope"], responses: op.responses })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(12);
    const seen: string[] = [];
    for (const op of operations) {
      expect(ADMIN_SCOPES).toContain(op.scope);
      expect(op.responses["403"]).toBeDefined();
      const url = `https://gateway.test${op.path.replace("{id}", "msg_matrix").replace("{name}", "profiles")}`;
      for (const scope of ADMIN_SCOPES) {
        const res = await call(new Request(url, { method: op.method.toUpperCase(), headers: { Authorization: `Bearer ${TOKENS[scope]}` } }), e);
        if (grants(scope, op.scope)) expect(res.status, `${scope} ${op.method} ${op.path}`).not.toBe(403);
        else await expectProblem(res, 403, "forbidden");
        seen.push(`${scope} ${op.method} ${op.path} ${res.status}`);
      }
    }
    expect(seen.filter((s) => s.includes(" 403")).length).toBeGreaterThan(0);
  });
});
