// End to end, the operator console in a real headless Chromium (Debian's, driven by playwright-core)
// against the gateway under wrangler dev and a real consumer: log in, see a route whose breaker opened
// after failures, open a dead letter, replay it with the keyboard, see it leave the list. Each page's
// HTML stays under 50 KB, no CSP violation is reported, and screenshots land in test-results/console/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { startConsumer, type Consumer } from "../../tools/consumer/server";
import { launchChromium, type Browser } from "./harness/browser";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { waitFor } from "./harness/wait";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SHOTS = path.join(ROOT, "test-results/console");
const SOURCE_SECRET = "whsec_Y29uc29sZS1zb3VyY2Utc2VjcmV0LWZvci1lMmU=";
const ADMIN_TOKEN = "console-e2e-admin-token-0123456789";
const MAX_PAGE_BYTES = 50 * 1024;

let consumer: Consumer;
let gateway: Gateway;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const documents: { url: string; status: number; bytes: number }[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  consumer = await startConsumer({ behaviour: { paths: { "/pay": { status: 503 }, "/profiles": { status: 503 } } } });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 } } },
      endpoints: {
        payments: { url: `${consumer.url}/pay`, circuit_breaker: { failure_threshold: 3, recovery_timeout_ms: 300_000 } },
        profiles: { url: `${consumer.url}/profiles`, circuit_breaker: { failure_threshold: 1_000, recovery_timeout_ms: 1_000 } },
      },
      routing_rules: [
        { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 1_000 },
        { event_type: "user.*", mode: "async", endpoint: "profiles", retry_matrix: [0] },
      ],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET, ADMIN_TOKEN },
  });
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.on("response", (res) => {
    if (res.request().resourceType() !== "document" || res.status() >= 300) return;
    void res
      .body()
      .then((body) => documents.push({ url: res.url(), status: res.status(), bytes: body.byteLength }))
      .catch(() => undefined);
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await consumer?.close();
});

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe("operator console in a real browser", () => {
  it("logs in, shows the open breaker, opens a dead letter, replays it and sees it leave the list", async () => {
    // Three failing sync calls open the payments breaker (threshold 3); one async event dead-letters.
    for (let i = 0; i < 3; i++) {
      const answer = await sendEvent(gateway.url, "/webhooks/acme/payment.authorize", `{"amount":${i}}`, {
        secret: SOURCE_SECRET,
        headers: { "X-Idempotency-Key": `pay-${i}` },
      });
      expect(answer.status).toBe(503);
    }
    const id = messageIdOf(await sendEvent(gateway.url, "/webhooks/acme/user.created", '{"type":"user.created","user":{"id":42,"name":"Zoë"}}', { secret: SOURCE_SECRET }));
    await waitFor(() => gateway.logs("dead_lettered").some((l) => l["message_id"] === id), { timeoutMs: 30_000, intervalMs: 100, what: "the dead letter" });

    // Log in.
    await page.goto(`${gateway.url}/admin/ui`);
    expect(new URL(page.url()).pathname).toBe("/admin/ui/login");
    await shot("login");
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui`);
    const cookie = (await context.cookies()).find((c) => c.name === "__Secure-hookgate_console");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/admin/ui" });

    // Overview: the payments route shows its open breaker and when it will half-open.
    const paymentsRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "payments" }) });
    await expect.poll(() => paymentsRow.locator(".b").textContent()).toBe("open");
    expect(await paymentsRow.textContent()).toMatch(/half-open in \d+ min/);
    const routeRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "payment.authorize" }) });
    expect(await routeRow.locator(".b").textContent()).toBe("open");
    expect(await paymentsRow.getByRole("img").getAttribute("aria-label")).toMatch(/0 delivered, 3 failed/);
    await shot("overview");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");

    // The same page on a phone: nothing wider than the screen but the scrollable tables.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    await shot("overview-phone");
    await page.setViewportSize({ width: 1280, height: 860 });

    // Endpoint page: breaker history.
    await page.getByRole("link", { name: "payments" }).first().click();
    await page.waitForURL(`${gateway.url}/admin/ui/endpoints/payments`);
    expect(await page.getByRole("table", { name: /transitions/ }).textContent()).toMatch(/closedopen/);
    await shot("endpoint");

    // Dead letters: the event is listed; open it.
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Dead letters" }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/dlq`);
    await expect.poll(() => page.getByRole("link", { name: id }).count()).toBe(1);
    await shot("dead-letters");
    await page.getByRole("link", { name: id }).click();
    await page.waitForURL(`${gateway.url}/admin/ui/dlq/${id}`);
    expect(await page.locator("pre").textContent()).toContain('"name": "Zoë"');
    await shot("dead-letter");

    // Replay it with the keyboard only: open the confirmation, then press its button.
    consumer.setBehaviour({ status: 200 });
    await page.getByText("Replay…").focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Replay it" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${gateway.url}/admin/ui/dlq`);
    expect(await page.getByRole("status").textContent()).toBe(`Replayed ${id}: queued for delivery (replay 1).`);
    expect(await page.getByRole("link", { name: id }).count()).toBe(0);
    await shot("after-replay");
    await waitFor(() => consumer.byId(id).some((r) => r.status === 200), { timeoutMs: 30_000, intervalMs: 100, what: "the replayed delivery" });

    // Every console page stayed small, and the browser reported no CSP violation or other error.
    await waitFor(() => documents.length >= 7, { timeoutMs: 5_000, what: "document sizes" });
    for (const d of documents) expect(d.bytes, d.url).toBeLessThan(MAX_PAGE_BYTES);
    expect(consoleErrors).toEqual([]);
  });
});
