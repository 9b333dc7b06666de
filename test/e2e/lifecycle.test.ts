// End to end, the endpoint lifecycle (docs/contract.md §6, §7): pause an endpoint of the real gateway
// (wrangler dev) with the admin CLI, send ordered events that wait without reaching the real consumer,
// resume with the CLI and see them arrive in send order with attempt 1; then the console's endpoint
// page in a headless Chromium shows the pause state, pauses and resumes behind a confirmation, and
// lists the attempts with the consumer's answer.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startConsumer, type Consumer, type RecordedRequest } from "../../tools/consumer/server";
import { launchChromium, type Browser } from "./harness/browser";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { waitFor } from "./harness/wait";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCE_SECRET = "whsec_bGlmZWN5Y2xlLXNvdXJjZS1zZWNyZXQtZTJl";
const ADMIN_TOKEN = "e2e-admin-token-for-lifecycle-0123";
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

let consumer: Consumer;
let gateway: Gateway;
let browser: Browser | undefined;

beforeAll(async () => {
  consumer = await startConsumer({ behaviour: { status: 200 } });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_field: "type" } },
      endpoints: { ledger: { url: `${consumer.url}/ledger`, circuit_breaker: NO_TRIP } },
      routing_rules: [{ event_type: "account.*", mode: "async", endpoint: "ledger", ordering_key: "body:account" }],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET, ADMIN_TOKEN },
  });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await consumer?.close();
});

/** `npm run admin -- <args>` against the gateway; its stdout. */
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/admin.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, HOOKGATE_URL: gateway.url, HOOKGATE_ADMIN_TOKEN: ADMIN_TOKEN },
    timeout: 60_000,
  });
  return stdout;
}

const ledger = (): RecordedRequest[] => consumer.requests.filter((r) => r.path === "/ledger");

describe("endpoint lifecycle through the real gateway", () => {
  it("holds ordered events while paused by the CLI and delivers them in order, attempt 1, after resume", async () => {
    expect(await cli("pause", "ledger", "--reason", "e2e maintenance")).toMatch(/^ledger: paused since .* \(e2e maintenance\)/);
    const ids: string[] = [];
    for (let n = 1; n <= 8; n++) {
      ids.push(messageIdOf(await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type: "account.updated", account: "acct-1", n }), { secret: SOURCE_SECRET })));
    }
    // The key's head looked, found the endpoint paused, and waits: nothing reached the consumer.
    await waitFor(() => gateway.logs("delivery_waiting").some((l) => l["reason"] === "paused" && ids.includes(String(l["message_id"]))), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: "a paused wait",
    });
    expect(ledger()).toHaveLength(0);

    expect(await cli("resume", "ledger")).toMatch(/^ledger: active/);
    await waitFor(() => ledger().length >= 8, { timeoutMs: 60_000, intervalMs: 100, what: "8 deliveries" });
    const got = ledger();
    expect(got.map((r) => r.webhookId)).toEqual(ids);
    expect(got.map((r) => r.headers["x-sequence"])).toEqual(ids.map((_, i) => String(i + 1)));
    expect(got.every((r) => r.attempt === 1 && /^t=\d{13}$/.test(r.headers["x-request-start"] ?? ""))).toBe(true);
    expect(gateway.logs("endpoint_lifecycle").map((l) => l["to"])).toEqual(["paused", "active"]);
  });

  it("shows the pause state and the attempts on the console's endpoint page, and pauses and resumes after confirmation", async () => {
    browser = await launchChromium();
    const page: Page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${gateway.url}/admin/ui`);
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui`);

    await page.goto(`${gateway.url}/admin/ui/endpoints/ledger`);
    const state = page.getByRole("list", { name: "State" });
    expect(await state.textContent()).toContain("active");
    await page.getByText("Pause…").click();
    await page.getByRole("button", { name: "Pause the endpoint" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/endpoints/ledger`);
    expect(await page.getByRole("status").textContent()).toBe("ledger is paused.");
    expect(await state.textContent()).toMatch(/paused\s*since/);
    await page.getByText("Resume…").click();
    await page.getByRole("button", { name: "Resume the endpoint" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/endpoints/ledger`);
    expect(await state.textContent()).toContain("active");

    await page.getByRole("link", { name: "Attempt log" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/endpoints/ledger/attempts`);
    const rows = page.getByRole("table", { name: /Most recent attempts/ }).getByRole("row");
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(9);
    expect(await rows.nth(1).textContent()).toContain("delivered");
    await rows.nth(1).getByText("view").click();
    expect(await rows.nth(1).locator("pre").isVisible()).toBe(true);
    await page.screenshot({ path: path.join(ROOT, "test-results/lifecycle-attempts.png"), fullPage: true });
  });
});
