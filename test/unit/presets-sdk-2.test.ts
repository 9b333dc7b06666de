// Cross-checks against the providers' own SDKs, second half (devDependencies only): Clerk, Resend and
// Polar's own packages, Square, Shopify, Slack, HubSpot, Linear, Box, Coinbase Commerce, Mux, Zoom and
// Notion. Each proves the directions its SDK offers: the SDK signs and Hookgate verifies, and
// Hookgate's producer signs and the SDK verifies.
import { createRequire } from "node:module";
import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";
import { Signature as HubSpotSignature } from "@hubspot/api-client";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import Mux from "@mux/mux-node";
import { signWebhookPayload, verifyWebhookSignature } from "@notionhq/client";
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { getHmac as shopifyTestHmac } from "@shopify/shopify-api/test-helpers";
import { isValidSlackRequest } from "@slack/bolt";
import { webhooks as polarWebhooks } from "@polar-sh/sdk/2026-04";
import { AwsLambdaReceiver } from "@zoom/rivet/users";
import { computeWebhookSignature as boxSignature } from "box-node-sdk/internal/utils";
import { WebhooksManager as BoxWebhooks } from "box-node-sdk/managers";
import { Resend } from "resend";
import { WebhooksHelper as SquareWebhooks } from "square";
import { describe, expect, it, vi } from "vitest";
import { schemeOf, verifySignature } from "../../src/core/signatures/index";
import { BODY, bytes, hookgateAccepts, nowS, sign, URL as REQUEST_URL } from "./presets-sdk-setup";

const encode = (text: string) => new TextEncoder().encode(text);

describe("Standard Webhooks providers' own packages (@clerk/backend, resend, @polar-sh/sdk)", () => {
  const secret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
  const other = `whsec_${Buffer.alloc(32, 10).toString("base64")}`;

  it("clerk: verifyWebhook accepts Hookgate's svix-* headers, and refuses another secret", async () => {
    const ours = await sign("clerk", secret);
    const request = (headers: Record<string, string>) => new Request(REQUEST_URL, { method: "POST", headers, body: BODY });
    expect((await clerkVerifyWebhook(request(ours), { signingSecret: secret })).type).toBe("invoice.paid");
    await expect(clerkVerifyWebhook(request(ours), { signingSecret: other })).rejects.toThrow();
  });

  it("resend: webhooks.verify accepts Hookgate's signature, and refuses another secret", async () => {
    const ours = await sign("resend", secret);
    const headers = { id: ours["svix-id"] ?? "", timestamp: ours["svix-timestamp"] ?? "", signature: ours["svix-signature"] ?? "" };
    const resend = new Resend("re_unused");
    expect(resend.webhooks.verify({ payload: BODY, headers, webhookSecret: secret })).toMatchObject({ id: "evt_1" });
    expect(() => resend.webhooks.verify({ payload: BODY, headers, webhookSecret: other })).toThrow();
  });

  it("polar: webhooks.validateEvent accepts Hookgate's signature under Polar's secret text, and refuses another", async () => {
    const polarSecret = "polar_whs_sdk_check";
    const body = JSON.stringify({ type: "subscription.updated", timestamp: "2026-01-01T00:00:00Z", data: { id: "sub_1", note: "é ✓" } });
    const ours = await sign("polar", polarSecret, encode(body));
    expect(await polarWebhooks.validateEvent(body, ours, polarSecret)).toMatchObject({ type: "subscription.updated" });
    await expect(polarWebhooks.validateEvent(body, ours, "polar_whs_other")).rejects.toThrow(/signature/i);
  });
});

describe("square (square WebhooksHelper)", () => {
  it("verifySignature accepts Hookgate's signature over URL + body, and refuses another key, URL or body", async () => {
    const key = "square-signature-key";
    const signatureHeader = (await sign("square", key))["x-square-hmacsha256-signature"] ?? "";
    const check = (over: { signatureKey?: string; notificationUrl?: string; requestBody?: string }) =>
      SquareWebhooks.verifySignature({ requestBody: BODY, signatureHeader, signatureKey: key, notificationUrl: REQUEST_URL, ...over });
    expect(await check({})).toBe(true);
    expect(await check({ signatureKey: "other-key" })).toBe(false);
    expect(await check({ notificationUrl: "https://gateway.test/webhooks/other" })).toBe(false);
    expect(await check({ requestBody: `${BODY} ` })).toBe(false);
  });
});

describe("shopify (@shopify/shopify-api webhooks.validate)", () => {
  const secret = "shopify-api-secret-key";
  const shopify = shopifyApi({ apiKey: "api-key", apiSecretKey: secret, hostName: "gateway.test", apiVersion: ApiVersion.January26, isEmbeddedApp: false });
  const delivery = { "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "shop.myshopify.com", "X-Shopify-API-Version": "2026-01", "X-Shopify-Webhook-Id": "w-1" };
  const validate = async (headers: Record<string, string>, body = BODY) =>
    (await shopify.webhooks.validate({ rawBody: body, rawRequest: new Request(REQUEST_URL, { method: "POST", headers, body }) })).valid;

  it("the library's HMAC verifies in Hookgate; Hookgate's passes webhooks.validate", async () => {
    const theirs = shopifyTestHmac(BODY, secret);
    expect(await hookgateAccepts("shopify", { "X-Shopify-Hmac-Sha256": theirs }, [secret])).toBe(true);
    expect(await hookgateAccepts("shopify", { "X-Shopify-Hmac-Sha256": theirs }, ["other"])).toBe(false);

    const ours = await sign("shopify", secret);
    expect(await validate({ ...delivery, ...ours })).toBe(true);
    expect(await validate({ ...delivery, ...ours }, `${BODY} `)).toBe(false);
  });

  it("the newer lowercase shopify-* headers (the library reads shopify-hmac-sha256 first) verify in Hookgate too", async () => {
    const events = {
      "shopify-hmac-sha256": shopifyTestHmac(BODY, secret),
      "shopify-topic": "orders/create",
      "shopify-shop-domain": "shop.myshopify.com",
      "shopify-api-version": "2026-01",
      "shopify-webhook-id": "w-1",
    };
    expect(await validate(events)).toBe(true);
    expect(await hookgateAccepts("shopify", events, [secret])).toBe(true);
    expect(await hookgateAccepts("shopify", events, ["other"])).toBe(false);
    expect(await hookgateAccepts("shopify", { ...events, "shopify-hmac-sha256": "not a mac" }, [secret])).toBe(false);
  });
});

describe("slack (@slack/bolt isValidSlackRequest)", () => {
  it("Bolt accepts Hookgate's v0 signature and refuses it under another secret or body", async () => {
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    const ours = await sign("slack", secret);
    const headers = { "x-slack-signature": ours["X-Slack-Signature"] ?? "", "x-slack-request-timestamp": Number(ours["X-Slack-Request-Timestamp"]) };
    const nowMilliseconds = nowS * 1000;
    expect(isValidSlackRequest({ signingSecret: secret, body: BODY, headers, nowMilliseconds })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: "other", body: BODY, headers, nowMilliseconds })).toBe(false);
    expect(isValidSlackRequest({ signingSecret: secret, body: `${BODY} `, headers, nowMilliseconds })).toBe(false);
  });
});

describe("hubspot (@hubspot/api-client Signature, v3)", () => {
  const clientSecret = "hubspot-client-secret";
  const timestamp = nowS * 1000;

  it("the SDK signs, Hookgate verifies; Hookgate signs, Signature.isValid accepts", async () => {
    // getSignature reads only the secret, body, URL and timestamp; its options type also asks for `signature`.
    const theirs = HubSpotSignature.getSignature("POST", "v3", { signature: "", clientSecret, requestBody: BODY, url: REQUEST_URL, timestamp });
    const headers = { "X-HubSpot-Signature-v3": theirs, "X-HubSpot-Request-Timestamp": String(timestamp) };
    expect(await hookgateAccepts("hubspot", headers, [clientSecret])).toBe(true);
    expect(await hookgateAccepts("hubspot", headers, [clientSecret], bytes, "https://gateway.test/webhooks/other")).toBe(false);

    const ours = await sign("hubspot", clientSecret);
    const valid = (secret: string) =>
      HubSpotSignature.isValid({
        signatureVersion: "v3",
        signature: ours["X-HubSpot-Signature-v3"] ?? "",
        method: "POST",
        clientSecret: secret,
        requestBody: BODY,
        url: REQUEST_URL,
        timestamp: Number(ours["X-HubSpot-Request-Timestamp"]),
      });
    expect(valid(clientSecret)).toBe(true);
    expect(valid("other")).toBe(false);
  });

  it("a URI with escapes: HubSpot signs it with its table's escapes decoded (the SDK is handed that URI)", async () => {
    const encoded = "https://gateway.test/webhooks/hubspot?next=https%3A%2F%2Fapp.test%2Fa%20b%3Bc";
    const decoded = "https://gateway.test/webhooks/hubspot?next=https://app.test/a%20b;c";
    const theirs = HubSpotSignature.getSignature("POST", "v3", { signature: "", clientSecret, requestBody: BODY, url: decoded, timestamp });
    const headers = { "X-HubSpot-Signature-v3": theirs, "X-HubSpot-Request-Timestamp": String(timestamp) };
    expect(await hookgateAccepts("hubspot", headers, [clientSecret], bytes, encoded)).toBe(true);
    const withSpace = HubSpotSignature.getSignature("POST", "v3", { signature: "", clientSecret, requestBody: BODY, url: decoded.replace("%20", " "), timestamp });
    expect(await hookgateAccepts("hubspot", { ...headers, "X-HubSpot-Signature-v3": withSpace }, [clientSecret], bytes, encoded)).toBe(false);

    const ours = await sign("hubspot", clientSecret, bytes, encoded);
    const signature = ours["X-HubSpot-Signature-v3"] ?? "";
    expect(HubSpotSignature.isValid({ signatureVersion: "v3", signature, method: "POST", clientSecret, requestBody: BODY, url: decoded, timestamp })).toBe(true);
  });
});

describe("linear (@linear/sdk LinearWebhookClient)", () => {
  // The SDK also requires the body's signed `webhookTimestamp` (ms) within a minute of now.
  const body = JSON.stringify({ action: "create", type: "Issue", webhookTimestamp: Date.now(), data: { title: "é ✓" } });

  it("verify accepts Hookgate's Linear-Signature, and refuses it under another secret or body", async () => {
    const secret = "lin_wh_sdk_check";
    const signature = (await sign("linear", secret, encode(body)))["Linear-Signature"] ?? "";
    expect(new LinearWebhookClient(secret).verify(Buffer.from(body), signature)).toBe(true);
    expect(() => new LinearWebhookClient("other").verify(Buffer.from(body), signature)).toThrow();
    expect(() => new LinearWebhookClient(secret).verify(Buffer.from(`${body} `), signature)).toThrow();
  });
});

describe("box (box-node-sdk WebhooksManager.validateMessage)", () => {
  it("validateMessage accepts Hookgate's primary signature, and refuses another key or body", async () => {
    const primary = "box-primary-key";
    const ours = await sign("box", primary);
    const headers = Object.fromEntries(Object.entries(ours).map(([name, value]) => [name.toLowerCase(), value]));
    expect(headers["box-signature-version"]).toBe("1");
    expect(await BoxWebhooks.validateMessage(BODY, headers, primary)).toBe(true);
    expect(await BoxWebhooks.validateMessage(BODY, headers, "other")).toBe(false);
    expect(await BoxWebhooks.validateMessage(`${BODY} `, headers, primary)).toBe(false);
    // Box's secondary key signs BOX-SIGNATURE-SECONDARY; the SDK checks it when the primary fails.
    const secondary = { ...headers, "box-signature-primary": "", "box-signature-secondary": headers["box-signature-primary"] ?? "" };
    expect(await BoxWebhooks.validateMessage(BODY, secondary, "rotated-primary", { secondaryKey: primary })).toBe(true);
    expect(await hookgateAccepts("box", secondary, ["rotated-primary", primary])).toBe(true);
  });

  it("Box's documented example delivery verifies in the SDK and in Hookgate, under either key", async () => {
    // The headers and body of Box's verify-signatures guide; its signatures are those of the keys
    // `SamplePrimaryKey` / `SampleSecondaryKey` (the placeholder keys printed beside them do not match).
    const body = '{"type":"webhook_event","webhook":{"id":"1234567890"},"trigger":"FILE.UPLOADED","source":{"id":"1234567890","type":"file","name":"Test.txt"}}';
    const headers = {
      "box-delivery-id": "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f",
      "box-delivery-timestamp": "2020-01-01T00:00:00-07:00",
      "box-signature-algorithm": "HmacSHA256",
      "box-signature-primary": "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI=",
      "box-signature-secondary": "v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo=",
      "box-signature-version": "1",
    };
    const sentAt = Date.parse("2020-01-01T07:00:00Z");
    const maxAge = Math.ceil((Date.now() - sentAt) / 1000) + 60;
    expect(await BoxWebhooks.validateMessage(body, headers, "SamplePrimaryKey", { maxAge })).toBe(true);
    const accepts = async (secrets: string[]) => (await verifySignature("box", { headers: new Headers(headers), body: encode(body), secrets, toleranceS: 300, nowMs: sentAt })).ok;
    expect(await accepts(["SamplePrimaryKey"])).toBe(true);
    expect(await accepts(["SampleSecondaryKey"])).toBe(true);
    expect(await accepts(["Fd28OJrZ8oNxkgmS7TbjXNgrG8v"])).toBe(false);
  });

  it("the SDK's signature (computeWebhookSignature, what validateMessage recomputes) verifies in Hookgate", async () => {
    const key = "box-primary-key";
    const timestamp = new Date(nowS * 1000).toISOString().replace(".000Z", "Z");
    const headers = { "box-signature-version": "1", "box-signature-algorithm": "HmacSHA256", "box-delivery-timestamp": timestamp };
    const signed = { ...headers, "box-signature-primary": (await boxSignature(BODY, headers, key)) ?? "" };
    expect(await hookgateAccepts("box", signed, [key])).toBe(true);
    expect(await hookgateAccepts("box", signed, ["other"])).toBe(false);
    expect(await hookgateAccepts("box", { ...signed, "box-signature-version": "2" }, [key])).toBe(false);
  });
});

interface CoinbaseWebhook {
  computeSignature(payload: string, secret: string): string;
  verifySigHeader(payload: string, sigHeader: string, secret: string): boolean;
}
// coinbase-commerce-node ships no types: its Webhook helper, typed here.
const { Webhook: CoinbaseWebhooks } = createRequire(import.meta.url)("coinbase-commerce-node") as { Webhook: CoinbaseWebhook };

describe("coinbase-commerce (coinbase-commerce-node Webhook)", () => {
  it("the SDK signs, Hookgate verifies; Hookgate signs, verifySigHeader accepts", async () => {
    const secret = "coinbase-shared-secret";
    const theirs = CoinbaseWebhooks.computeSignature(BODY, secret);
    expect(await hookgateAccepts("coinbase-commerce", { "X-CC-Webhook-Signature": theirs }, [secret])).toBe(true);
    expect(await hookgateAccepts("coinbase-commerce", { "X-CC-Webhook-Signature": theirs }, ["other"])).toBe(false);

    const ours = (await sign("coinbase-commerce", secret))["X-CC-Webhook-Signature"] ?? "";
    expect(CoinbaseWebhooks.verifySigHeader(BODY, ours, secret)).toBe(true);
    expect(() => CoinbaseWebhooks.verifySigHeader(BODY, ours, "other")).toThrow();
  });
});

describe("mux (@mux/mux-node webhooks.verifySignature)", () => {
  it("verifySignature accepts Hookgate's Mux-Signature, and refuses another secret or body", async () => {
    const secret = "mux-signing-secret";
    const mux = new Mux({ tokenId: "unused", tokenSecret: "unused" });
    const ours = await sign("mux", secret);
    await expect(mux.webhooks.verifySignature(BODY, ours, secret)).resolves.toBeUndefined();
    await expect(mux.webhooks.verifySignature(BODY, ours, "other")).rejects.toThrow();
    await expect(mux.webhooks.verifySignature(`${BODY} `, ours, secret)).rejects.toThrow();
  });
});

interface LambdaAnswer {
  statusCode: number;
  body: string;
}

describe("zoom (@zoom/rivet AwsLambdaReceiver)", () => {
  const secret = "zoom-secret-token";
  // The receiver logs every event it reads; the test only wants its answer.
  const receive = async (token: string, body: string, headers: Record<string, string>): Promise<LambdaAnswer> => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => undefined);
    try {
      const handler = new AwsLambdaReceiver({ webhooksSecretToken: token }).start() as unknown as (event: object, context: object) => Promise<LambdaAnswer>;
      return await handler({ body, headers, isBase64Encoded: false }, {});
    } finally {
      debug.mockRestore();
    }
  };

  it("the receiver accepts Hookgate's x-zm-signature (200), and refuses another secret or body (400)", async () => {
    // The receiver re-serialises the parsed body before it checks the MAC: a compact JSON body, as Zoom sends.
    const body = JSON.stringify({ event: "meeting.started", payload: { object: { topic: "é ✓" } }, event_ts: nowS * 1000 });
    const ours = await sign("zoom", secret, encode(body));
    expect((await receive(secret, body, ours)).statusCode).toBe(200);
    expect((await receive("other", body, ours)).statusCode).toBe(400);
    expect((await receive(secret, body.replace("started", "ended"), ours)).statusCode).toBe(400);
  });

  it("endpoint.url_validation: Hookgate's answer is the receiver's (plainToken, encryptedToken)", async () => {
    const body = JSON.stringify({ event: "endpoint.url_validation", payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" }, event_ts: nowS * 1000 });
    const ours = await sign("zoom", secret, encode(body));
    const theirs = await receive(secret, body, ours);
    expect(theirs.statusCode).toBe(200);
    const handshake = schemeOf("zoom").handshake;
    if (handshake === undefined) throw new Error("zoom has no handshake");
    const answer = await handshake({
      headers: new Headers(ours),
      body: encode(body),
      secrets: [secret],
      toleranceS: 300,
      nowMs: nowS * 1000,
      json: () => JSON.parse(body) as unknown,
    });
    expect(JSON.parse(answer?.body ?? "null")).toEqual(JSON.parse(theirs.body));
  });
});

describe("notion (@notionhq/client webhooks)", () => {
  it("signWebhookPayload signs, Hookgate verifies; Hookgate signs, verifyWebhookSignature accepts", async () => {
    const verificationToken = "secret_notion_verification_token";
    const theirs = await signWebhookPayload({ body: BODY, verificationToken });
    expect(await hookgateAccepts("notion", { "X-Notion-Signature": theirs }, [verificationToken])).toBe(true);
    expect(await hookgateAccepts("notion", { "X-Notion-Signature": theirs }, ["other"])).toBe(false);

    const ours = (await sign("notion", verificationToken))["X-Notion-Signature"];
    expect(await verifyWebhookSignature({ body: bytes, signature: ours, verificationToken })).toBe(true);
    expect(await verifyWebhookSignature({ body: bytes, signature: ours, verificationToken: "other" })).toBe(false);
  });
});
