// End to end, the console behind Cloudflare Access in headless Chromium: the gateway under wrangler
// dev trusts a local JWKS (ACCESS_JWKS_URL, honoured only for a loopback URL with
// allow_private_networks), the browser sends a `Cf-Access-Jwt-Assertion` as Access would, and the
// operator sees their email without a login form, resets a breaker and finds it in the audit log.
import { createServer, type Server } from "node:http";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startGateway, type Gateway } from "./harness/gateway";
import { freePort } from "./harness/wait";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SHOTS = path.join(ROOT, "test-results/console");
const TEAM = "hookgate-e2e";
const AUD = "e2e0aud0000000000000000000000000000000000000000000000000000000";
const KID = "e2e-key-1";
const EMAIL = "olive@example.com";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let jwks: Server;
let jwksFetches = 0;
let privateKey: KeyObject;
let gateway: Gateway;
let context: BrowserContext;
let profileDir: string;
let page: Page;

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function assertion(email: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: "RS256", kid: KID, typ: "JWT" }))}.${b64url(JSON.stringify({ aud: [AUD], iss: `https://${TEAM}.cloudflareaccess.com`, email, sub: "e2e-user", iat: now, nbf: now, exp: now + 3600, type: "app" }))}`;
  return `${input}.${b64url(sign("sha256", Buffer.from(input), privateKey))}`;
}

beforeAll(async () => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  privateKey = pair.privateKey;
  const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    jwksFetches += 1;
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  const jwksPort = await freePort();
  await new Promise<void>((resolve) => jwks.listen(jwksPort, "127.0.0.1", resolve));
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } } },
      endpoints: { payments: { url: "http://127.0.0.1:9/pay" } },
      routing_rules: [{ event_type: "payment.*", mode: "async", endpoint: "payments" }],
    },
    secrets: {
      ACCESS_TEAM_DOMAIN: TEAM,
      ACCESS_AUD: AUD,
      ACCESS_SCOPES: JSON.stringify({ users: { [EMAIL]: "operate" }, default: "none" }),
      ACCESS_JWKS_URL: `http://127.0.0.1:${jwksPort}/cdn-cgi/access/certs`,
    },
  });
  await mkdir(SHOTS, { recursive: true });
  profileDir = await mkdtemp(path.join(tmpdir(), "hookgate-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  if (profileDir !== undefined) await rm(profileDir, { recursive: true, force: true });
  await gateway?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe("operator console behind Cloudflare Access in a real browser", () => {
  it("shows the operator's email without a login form, resets a breaker and lists it in the audit log", async () => {
    // Without an assertion the console asks for a token; the admin API answers 401.
    await page.goto(`${gateway.url}/admin/ui`);
    expect(new URL(page.url()).pathname).toBe("/admin/ui/login");

    // Access puts the assertion on every request to the origin.
    await context.setExtraHTTPHeaders({ "Cf-Access-Jwt-Assertion": assertion(EMAIL) });
    await page.goto(`${gateway.url}/admin/ui`);
    expect(new URL(page.url()).pathname).toBe("/admin/ui");
    expect(await page.locator("header .who").textContent()).toBe(`Signed in as ${EMAIL} (operate)`);
    expect(await page.getByRole("link", { name: "Sign out" }).getAttribute("href")).toBe("/cdn-cgi/access/logout");
    await page.screenshot({ path: path.join(SHOTS, "access-overview.png"), fullPage: true });

    await page.goto(`${gateway.url}/admin/ui/endpoints/payments`);
    await page.getByText("Reset breaker…").click();
    await page.getByRole("button", { name: "Close the breaker" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/endpoints/payments`);
    expect(await page.getByRole("status").textContent()).toBe("The breaker of payments is closed.");

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/audit`);
    const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: EMAIL }) });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("endpoint.reset");
    expect(await row.textContent()).toContain("console, access");
    await page.screenshot({ path: path.join(SHOTS, "access-audit.png"), fullPage: true });

    // Someone Access lets through but ACCESS_SCOPES does not name (default none) is refused.
    await context.setExtraHTTPHeaders({ "Cf-Access-Jwt-Assertion": assertion("visitor@example.com") });
    const refused = await page.goto(`${gateway.url}/admin/ui/endpoints/payments`);
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole("alert").textContent()).toContain("Your access (none) does not include this action");
    // The keys were fetched from the local JWKS once and cached by the isolate.
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
    expect(jwksFetches).toBeLessThanOrEqual(3);
  });
});
