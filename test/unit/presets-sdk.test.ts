// Cross-checks against the providers' own SDKs (devDependencies only): each signs and Hookgate
// verifies, and Hookgate's producer signs and the SDK verifies, where the SDK offers that direction.
// Providers without an SDK that signs or verifies are proven by the docs-based reference signers
// (Mailgun has none: its docs give the rule, not a vector).
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { NodeRuntime, Webhooks as PaddleWebhooks } from "@paddle/paddle-node-sdk";
import { EventWebhook } from "@sendgrid/eventwebhook";
import { verifyKey } from "discord-interactions";
import Razorpay from "razorpay";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import twilioSdk from "twilio";
import { hmacValidator } from "@adyen/api-library";
import type { NotificationRequestItem } from "@adyen/api-library/lib/src/typings/notification/models";
import { signRequest, verifyRequest } from "@contentful/node-apps-toolkit";
import { describe, expect, it } from "vitest";
import { producerBody } from "../../src/core/signatures/index";
import { BODY, bytes, hookgateAccepts, nowS, sign, URL } from "./presets-sdk-setup";
import { presetKeys } from "../runtime/preset-keys";

describe("Standard Webhooks family (standardwebhooks, svix)", () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

  it("standard-webhooks: the reference library signs, Hookgate verifies; Hookgate signs, the library verifies", async () => {
    const signature = new StandardWebhook(secret).sign("msg_1", new Date(nowS * 1000), BODY);
    expect(await hookgateAccepts("standard-webhooks", { "webhook-id": "msg_1", "webhook-timestamp": String(nowS), "webhook-signature": signature }, [secret])).toBe(true);
    const ours = await sign("standard-webhooks", secret);
    expect(() => new StandardWebhook(secret).verify(BODY, ours)).not.toThrow();
    expect(() => new StandardWebhook(`whsec_${Buffer.alloc(32, 8).toString("base64")}`).verify(BODY, ours)).toThrow();
  });

  it.each(["svix", "clerk", "resend"] as const)("%s: the svix SDK signs, Hookgate verifies; Hookgate signs, the svix SDK verifies", async (scheme) => {
    const svix = new SvixWebhook(secret);
    const signature = svix.sign("msg_1", new Date(nowS * 1000), BODY);
    expect(await hookgateAccepts(scheme, { "svix-id": "msg_1", "svix-timestamp": String(nowS), "svix-signature": signature }, [secret])).toBe(true);
    const ours = await sign(scheme, secret);
    expect(() => svix.verify(BODY, ours)).not.toThrow();
    expect(
      await hookgateAccepts(scheme, { "svix-id": "msg_1", "svix-timestamp": String(nowS), "svix-signature": signature }, [`whsec_${Buffer.alloc(32, 8).toString("base64")}`]),
    ).toBe(false);
  });

  it("polar: standardwebhooks with the secret's UTF-8 bytes as key (what Polar's SDK hands it) agrees both ways", async () => {
    const polarSecret = "polar_whs_example";
    const library = new StandardWebhook(Buffer.from(polarSecret).toString("base64"));
    const signature = library.sign("msg_1", new Date(nowS * 1000), BODY);
    expect(await hookgateAccepts("polar", { "webhook-id": "msg_1", "webhook-timestamp": String(nowS), "webhook-signature": signature }, [polarSecret])).toBe(true);
    const ours = await sign("polar", polarSecret);
    expect(() => library.verify(BODY, ours)).not.toThrow();
  });
});

describe("stripe", () => {
  const stripe = new Stripe("sk_test_unused");
  const secret = "whsec_stripe_sdk_check";

  it("the SDK's test header verifies in Hookgate, and Hookgate's header passes constructEvent", async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret, timestamp: nowS });
    expect(await hookgateAccepts("stripe", { "Stripe-Signature": header }, [secret])).toBe(true);
    const ours = await sign("stripe", secret);
    expect(stripe.webhooks.constructEvent(BODY, ours["Stripe-Signature"] ?? "", secret).id).toBe("evt_1");
    expect(() => stripe.webhooks.constructEvent(BODY, ours["Stripe-Signature"] ?? "", `${secret}x`)).toThrow();
  });
});

describe("github (@octokit/webhooks-methods)", () => {
  it("octokit signs, Hookgate verifies; Hookgate signs, octokit verifies", async () => {
    const secret = "It's a Secret to Everybody";
    const signature = await octokitSign(secret, BODY);
    expect(await hookgateAccepts("github", { "X-Hub-Signature-256": signature }, [secret])).toBe(true);
    const ours = await sign("github", secret);
    expect(await octokitVerify(secret, BODY, ours["X-Hub-Signature-256"] ?? "")).toBe(true);
    expect(await octokitVerify("other", BODY, ours["X-Hub-Signature-256"] ?? "")).toBe(false);
  });
});

const TWILIO_DOCS_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

describe("twilio", () => {
  const token = "12345";
  const form = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
  const params = Object.fromEntries(new URLSearchParams(form));
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";

  it("the SDK's expected signature verifies in Hookgate; Hookgate's passes validateRequest", async () => {
    const expected = twilioSdk.getExpectedTwilioSignature(token, url, params);
    // Twilio's documented example (webhooks-security): token 12345, this URL and these parameters.
    expect(expected).toBe(TWILIO_DOCS_SIGNATURE);
    const body = new TextEncoder().encode(form);
    expect(await hookgateAccepts("twilio", { "X-Twilio-Signature": expected }, [token], body, url)).toBe(true);
    const ours = await sign("twilio", token, body, url);
    expect(twilioSdk.validateRequest(token, ours["X-Twilio-Signature"] ?? "", url, params)).toBe(true);
    expect(twilioSdk.validateRequest("54321", ours["X-Twilio-Signature"] ?? "", url, params)).toBe(false);
  });

  it("a JSON body is covered by bodySHA256 in the URL (validateRequestWithBody agrees)", async () => {
    const hash = await crypto.subtle.digest("SHA-256", bytes);
    const withHash = `${URL}&bodySHA256=${Buffer.from(hash).toString("hex")}`;
    const signature = twilioSdk.getExpectedTwilioSignature(token, withHash, {});
    expect(twilioSdk.validateRequestWithBody(token, signature, withHash, BODY)).toBe(true);
    expect(await hookgateAccepts("twilio", { "X-Twilio-Signature": signature }, [token], bytes, withHash)).toBe(true);
    expect(await hookgateAccepts("twilio", { "X-Twilio-Signature": signature }, [token], new TextEncoder().encode(`${BODY} `), withHash)).toBe(false);
  });
});

describe("discord (discord-interactions verifyKey)", () => {
  it("verifyKey accepts Hookgate's Ed25519 signature, and refuses it for another body", async () => {
    const keys = presetKeys("discord", 1);
    if (keys === undefined) throw new Error("no discord test keys");
    const ours = await sign("discord", keys.signing);
    const signature = ours["X-Signature-Ed25519"] ?? "";
    const timestamp = ours["X-Signature-Timestamp"] ?? "";
    expect(await verifyKey(bytes, signature, timestamp, keys.binding)).toBe(true);
    expect(await verifyKey(new TextEncoder().encode("{}"), signature, timestamp, keys.binding)).toBe(false);
    expect(await hookgateAccepts("discord", ours, [keys.binding])).toBe(true);
  });
});

describe("sendgrid (@sendgrid/eventwebhook)", () => {
  it("the SDK verifies Hookgate's ECDSA signature with the base64 public key SendGrid shows", async () => {
    const keys = presetKeys("sendgrid", 1);
    if (keys === undefined) throw new Error("no sendgrid test keys");
    const ours = await sign("sendgrid", keys.signing);
    const events = new EventWebhook();
    const publicKey = events.convertPublicKeyToECDSA(keys.binding);
    const signature = ours["X-Twilio-Email-Event-Webhook-Signature"] ?? "";
    const timestamp = ours["X-Twilio-Email-Event-Webhook-Timestamp"] ?? "";
    expect(events.verifySignature(publicKey, BODY, signature, timestamp)).toBe(true);
    expect(events.verifySignature(publicKey, `${BODY} `, signature, timestamp)).toBe(false);
    expect(await hookgateAccepts("sendgrid", ours, [keys.binding])).toBe(true);
    expect(await hookgateAccepts("sendgrid", ours, [presetKeys("sendgrid", 2)?.binding ?? ""])).toBe(false);
  });
});

describe("paddle (@paddle/paddle-node-sdk)", () => {
  it("the SDK accepts Hookgate's Paddle-Signature, and refuses it under another key", async () => {
    const secret = "pdl_ntfset_01_sdk_check";
    const ours = await sign("paddle", secret);
    NodeRuntime.initialize(); // what `new Paddle(apiKey)` does first: picks node:crypto for the HMAC
    const paddle = new PaddleWebhooks();
    expect(await paddle.isSignatureValid(BODY, secret, ours["Paddle-Signature"] ?? "")).toBe(true);
    expect(await paddle.isSignatureValid(BODY, `${secret}x`, ours["Paddle-Signature"] ?? "")).toBe(false);
  });
});

describe("razorpay", () => {
  it("validateWebhookSignature accepts Hookgate's signature, and refuses another secret's", async () => {
    const secret = "razorpay_webhook_secret";
    const ours = await sign("razorpay", secret);
    expect(Razorpay.validateWebhookSignature(BODY, ours["X-Razorpay-Signature"] ?? "", secret)).toBe(true);
    expect(Razorpay.validateWebhookSignature(BODY, ours["X-Razorpay-Signature"] ?? "", "other")).toBe(false);
  });
});

describe("adyen (@adyen/api-library HmacValidator)", () => {
  const key = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
  const item = {
    pspReference: "7914073381342284",
    merchantAccountCode: "TestMerchant",
    merchantReference: "TestPayment-1407325143704",
    amount: { value: 1130, currency: "EUR" },
    eventCode: "AUTHORISATION",
    success: "true",
    eventDate: "2014-08-06T13:39:04+02:00",
  };

  it("the SDK's signature (Adyen's documented one) verifies in Hookgate; Hookgate's passes validateHMAC", async () => {
    const validator = new hmacValidator();
    const hmacSignature = validator.calculateHmac(item as unknown as NotificationRequestItem, key);
    expect(hmacSignature).toBe("coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=");
    const body = new TextEncoder().encode(JSON.stringify({ live: "false", notificationItems: [{ NotificationRequestItem: { ...item, additionalData: { hmacSignature } } }] }));
    expect(await hookgateAccepts("adyen", {}, [key], body)).toBe(true);
    expect(await hookgateAccepts("adyen", {}, ["0f".repeat(32)], body)).toBe(false);

    const unsigned = new TextEncoder().encode(JSON.stringify({ live: "false", notificationItems: [{ NotificationRequestItem: item }] }));
    const ours = JSON.parse(new TextDecoder().decode(await producerBody("adyen", { secret: key, body: unsigned, timestampS: nowS, id: "unused" }))) as {
      notificationItems: { NotificationRequestItem: NotificationRequestItem }[];
    };
    const signed = ours.notificationItems[0]?.NotificationRequestItem;
    if (signed === undefined) throw new Error("no item signed");
    expect(validator.validateHMAC(signed, key)).toBe(true);
    expect(validator.validateHMAC(signed, "0f".repeat(32))).toBe(false);
  });
});

describe("contentful (@contentful/node-apps-toolkit signRequest / verifyRequest)", () => {
  const secret = "k".repeat(64);
  const url = "https://gateway.test/webhooks/contentful?space=s1&env=master";
  const path = "/webhooks/contentful?space=s1&env=master";

  it("the toolkit signs (with extra signed headers), Hookgate verifies; Hookgate signs, the toolkit verifies", async () => {
    const requestHeaders = { "Content-Type": "application/vnd.contentful.management.v1+json", "X-Contentful-Topic": "ContentManagement.Entry.publish" };
    const signed = signRequest(secret, { method: "POST", path, headers: requestHeaders, body: BODY }, nowS * 1000);
    const headers = { ...requestHeaders, ...signed };
    expect(signed["x-contentful-signed-headers"]).toContain("x-contentful-topic");
    expect(await hookgateAccepts("contentful", headers, [secret], bytes, url)).toBe(true);
    expect(await hookgateAccepts("contentful", { ...headers, "X-Contentful-Topic": "ContentManagement.Entry.delete" }, [secret], bytes, url)).toBe(false);
    expect(await hookgateAccepts("contentful", headers, [secret], bytes, "https://gateway.test/webhooks/other")).toBe(false);
    expect(await hookgateAccepts("contentful", headers, ["j".repeat(64)], bytes, url)).toBe(false);

    const ours = await sign("contentful", secret, bytes, url);
    expect(verifyRequest(secret, { method: "POST", path, headers: ours, body: BODY }, 300)).toBe(true);
    expect(verifyRequest("j".repeat(64), { method: "POST", path, headers: ours, body: BODY }, 300)).toBe(false);
    expect(verifyRequest(secret, { method: "POST", path, headers: ours, body: `${BODY} ` }, 300)).toBe(false);
  });
});
