// The scheme registry and what derives from it: the list of names, the never-forwarded signature
// headers, and the idempotency key a request carries with whether its signature covers it.
import { describe, expect, it } from "vitest";
import { DELIVERY_ID_HEADERS, SCHEME_NAMES, SIGNATURE_HEADERS, producerHeaders, schemeOf } from "../../src/core/signatures/index";
import { findIdempotencyKey, type KeySources } from "../../src/core/idempotency";
import { bytes, fixtureOf, type SignedScheme } from "./signatures-fixtures";
import { TEST_URL } from "./presets-reference";

describe("the registry", () => {
  it("names each scheme once, in the documented order", () => {
    expect(SCHEME_NAMES.slice(0, 6)).toEqual(["standard-webhooks", "hmac-sha256-hex", "stripe", "github", "shopify", "slack"]);
    expect(SCHEME_NAMES.at(-1)).toBe("none");
    expect(new Set(SCHEME_NAMES).size).toBe(SCHEME_NAMES.length);
    // The six core schemes and the provider presets: at least 40 providers verified out of the box.
    expect(SCHEME_NAMES.length - 1).toBeGreaterThanOrEqual(40);
    for (const name of SCHEME_NAMES) expect(schemeOf(name).name).toBe(name);
  });

  it("never forwards any scheme's signature headers", () => {
    const declared = new Set(SCHEME_NAMES.flatMap((name) => schemeOf(name).signatureHeaders));
    expect([...SIGNATURE_HEADERS].sort()).toEqual([...declared].sort());
    expect(SIGNATURE_HEADERS).toEqual(
      expect.arrayContaining([
        "stripe-signature",
        "webhook-id",
        "webhook-signature",
        "webhook-timestamp",
        "x-hub-signature",
        "x-hub-signature-256",
        "x-shopify-hmac-sha256",
        "x-signature",
        "x-slack-request-timestamp",
        "x-slack-signature",
        "x-timestamp",
      ]),
    );
  });

  it.each(SCHEME_NAMES)("%s: every header its producer signs is a declared signature header", async (name) => {
    const scheme = schemeOf(name);
    const secret = name === "none" ? "" : fixtureOf(name as SignedScheme).secrets[0];
    const signed = await producerHeaders(name, { secret, body: bytes("{}"), timestampS: 1, id: "m", url: TEST_URL });
    for (const header of Object.keys(signed)) expect(scheme.signatureHeaders).toContain(header.toLowerCase());
    expect(scheme.signatureHeaders.every((header) => header === header.toLowerCase())).toBe(true);
  });

  it("reads the providers' delivery-id headers in registry order", () => {
    expect(DELIVERY_ID_HEADERS).toEqual(["webhook-id", "X-GitHub-Delivery", "X-Shopify-Webhook-Id"]);
  });
});

describe("findIdempotencyKey", () => {
  const sources = (scheme: KeySources["scheme"], headers: Record<string, string>, body: unknown = undefined, idempotencyHeader?: string): KeySources => ({
    headers: new Headers(headers),
    idempotencyHeader,
    scheme,
    json: () => body,
  });

  it("takes X-Idempotency-Key first, then the source's own header; neither is signed", () => {
    const both = { "X-Idempotency-Key": "k1", "X-Source-Key": "k2", "webhook-id": "w" };
    expect(findIdempotencyKey(sources("standard-webhooks", both, undefined, "X-Source-Key"))).toEqual({ kind: "key", key: "k1", from: "X-Idempotency-Key", signed: false });
    const own = { "X-Source-Key": " k2 ", "webhook-id": "w" };
    expect(findIdempotencyKey(sources("standard-webhooks", own, undefined, "X-Source-Key"))).toEqual({ kind: "key", key: "k2", from: "X-Source-Key", signed: false });
  });

  it("counts webhook-id as signed only under standard-webhooks", () => {
    expect(findIdempotencyKey(sources("standard-webhooks", { "webhook-id": "w" }))).toMatchObject({ key: "w", signed: true });
    expect(findIdempotencyKey(sources("hmac-sha256-hex", { "webhook-id": "w" }))).toMatchObject({ key: "w", signed: false });
  });

  it("reads delivery-id headers on any source, webhook-id before X-GitHub-Delivery, never signed", () => {
    expect(findIdempotencyKey(sources("github", { "X-GitHub-Delivery": "g" }))).toEqual({ kind: "key", key: "g", from: "X-GitHub-Delivery", signed: false });
    expect(findIdempotencyKey(sources("none", { "X-Shopify-Webhook-Id": "s" }))).toMatchObject({ key: "s", signed: false });
    expect(findIdempotencyKey(sources("github", { "X-GitHub-Delivery": "g", "webhook-id": "w" }))).toMatchObject({ key: "w", from: "webhook-id" });
  });

  it("takes the Stripe event id from the body only under stripe, as a signed key", () => {
    expect(findIdempotencyKey(sources("stripe", {}, { id: "evt_1" }))).toEqual({ kind: "key", key: "evt_1", from: "body:id", signed: true });
    expect(findIdempotencyKey(sources("github", {}, { id: "evt_1" }))).toEqual({ kind: "none" });
    for (const body of [{ id: 17 }, { id: "" }, ["evt_1"], undefined, { id: "with space" }]) {
      expect(findIdempotencyKey(sources("stripe", {}, body))).toEqual({ kind: "none" });
    }
  });

  it("refuses a key that is not 1-255 visible ASCII characters, naming its header", () => {
    expect(findIdempotencyKey(sources("github", { "X-GitHub-Delivery": "a b" }))).toEqual({ kind: "invalid", header: "X-GitHub-Delivery" });
    expect(findIdempotencyKey(sources("github", { "X-Idempotency-Key": "x".repeat(256) }))).toEqual({ kind: "invalid", header: "X-Idempotency-Key" });
  });
});
