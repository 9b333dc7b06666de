// Known-answer vectors for every scheme (producer signer and verifier), the dispatcher, the outbound
// Standard Webhooks signer, and the byte helpers the schemes rely on.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { producerHeaders, sha256Hex, signStandardWebhook, verifyHmacSha256Hex, verifySignature, verifyStandardWebhooks, verifyStripe } from "../../src/core/signatures/index";
import { decodeBase64, decodeHex, importHmacKey, timingSafeEqual } from "../../src/core/signatures/hmac";
import { NOW_MS, TOLERANCE_S, bytes, fixtureOf, fixtures, input } from "./signatures-fixtures";
import { TEST_URL } from "./presets-reference";

const SW = fixtureOf("standard-webhooks").vector;
const SW_SECRET = SW.secret;
const SW_ID = SW.id;
const SW_TS = SW.timestampS;
const SW_BODY = bytes(SW.body);
const SW_SIGNATURE = SW.headers["webhook-signature"] ?? "";

function at(timestampS: number, headers: Record<string, string>, body: Uint8Array, secret: string) {
  return { headers: new Headers(headers), body, secrets: [secret], toleranceS: TOLERANCE_S, nowMs: timestampS * 1000, url: TEST_URL };
}

describe("known-answer vectors", () => {
  it.each(fixtures.filter((f) => f.randomised !== true))("$scheme: the producer signer gives exactly the headers of $vector.origin", async ({ scheme, vector }) => {
    const signed = await producerHeaders(scheme, { secret: vector.secret, body: bytes(vector.body), timestampS: vector.timestampS, id: vector.id, url: TEST_URL });
    expect(signed).toEqual(vector.headers);
  });

  it.each(fixtures)("$scheme: the verifier accepts $vector.origin", async ({ vector, verify }) => {
    const result = await verify(at(vector.timestampS, vector.headers, bytes(vector.body), vector.secret));
    expect(result.ok).toBe(true);
  });

  it("stripe: accepts its vector next to a v0 entry", async () => {
    const { vector } = fixtureOf("stripe");
    const headers = { "Stripe-Signature": `${vector.headers["Stripe-Signature"]},v0=${"0".repeat(64)}` };
    expect((await verifyStripe(at(vector.timestampS, headers, bytes(vector.body), vector.secret))).ok).toBe(true);
  });

  it("hmac-sha256-hex: accepts its vector with or without the sha256= prefix and in either case", async () => {
    const { vector } = fixtureOf("hmac-sha256-hex");
    const mac = vector.headers["X-Signature"] ?? "";
    for (const signature of [mac, `sha256=${mac}`, `SHA256=${mac.toUpperCase()}`]) {
      const headers = { ...vector.headers, "X-Signature": signature };
      expect((await verifyHmacSha256Hex(at(vector.timestampS, headers, bytes(vector.body), vector.secret))).ok).toBe(true);
    }
  });

  it("github and shopify: the producer adds the delivery-id header only when asked", async () => {
    for (const [scheme, header] of [
      ["github", "X-GitHub-Delivery"],
      ["shopify", "X-Shopify-Webhook-Id"],
    ] as const) {
      const request = { secret: "s", body: bytes("{}"), timestampS: 0, id: "delivery-1" };
      expect(await producerHeaders(scheme, request)).not.toHaveProperty(header);
      expect(await producerHeaders(scheme, { ...request, deliveryIdHeader: true })).toHaveProperty(header, "delivery-1");
    }
  });
});

describe("verifySignature", () => {
  it.each(fixtures.filter((f) => f.covers !== "fields"))("dispatches $scheme to its verifier", async (fixture) => {
    const body = bytes('{"a":1}');
    const verifying = fixture.secrets.map((secret) => fixture.publicOf?.[secret] ?? secret);
    const request = input(new Headers(await fixture.sign(fixture.secrets[0], body, NOW_MS / 1000)), body, verifying);
    const direct = await fixture.verify(request);
    expect(direct.ok).toBe(true);
    expect(await verifySignature(fixture.scheme, request)).toEqual(direct);
  });

  it("accepts anything under `none`, with an empty digest (no replay tracking)", async () => {
    const result = await verifySignature("none", input(new Headers(), bytes("x"), []));
    expect(result).toEqual({ ok: true, signatureDigest: "" });
  });
});

describe("signStandardWebhook", () => {
  it("reproduces the Standard Webhooks specification example", async () => {
    const header = await signStandardWebhook({ id: SW_ID, timestampS: SW_TS, body: SW_BODY, secrets: [SW_SECRET] });
    expect(header).toBe(SW_SIGNATURE);
  });

  it("signs once per secret, space separated, and each entry verifies on its own", async () => {
    const secrets = [SW_SECRET, `whsec_${Buffer.alloc(32, 9).toString("base64")}`];
    const header = await signStandardWebhook({ id: SW_ID, timestampS: SW_TS, body: SW_BODY, secrets });
    const entries = header.split(" ");
    expect(entries).toHaveLength(2);
    for (const [i, secret] of secrets.entries()) {
      const headers = { "webhook-id": SW_ID, "webhook-timestamp": String(SW_TS), "webhook-signature": header };
      expect((await verifyStandardWebhooks(at(SW_TS, headers, SW_BODY, secret))).ok).toBe(true);
      const single = { ...headers, "webhook-signature": entries[i] ?? "" };
      expect((await verifyStandardWebhooks(at(SW_TS, single, SW_BODY, secret))).ok).toBe(true);
    }
  });

  it("reads a secret without the whsec_ prefix as base64 too", async () => {
    const bare = SW_SECRET.slice("whsec_".length);
    const header = await signStandardWebhook({ id: SW_ID, timestampS: SW_TS, body: SW_BODY, secrets: [bare] });
    expect(header).toBe(SW_SIGNATURE);
  });

  it("uses the UTF-8 bytes of a secret that is not base64", async () => {
    const secret = "whsec_not base64!";
    const header = await signStandardWebhook({ id: "m", timestampS: 5, body: bytes("b"), secrets: [secret] });
    expect(header).toBe(`v1,${createHmac("sha256", secret).update("m.5.b").digest("base64")}`);
  });

  it("gives an empty header value without secrets and refuses an empty secret or a bad timestamp", async () => {
    const params = { id: "m", timestampS: 5, body: bytes("b"), secrets: [] };
    expect(await signStandardWebhook(params)).toBe("");
    await expect(signStandardWebhook({ ...params, secrets: [""] })).rejects.toThrow(/empty/);
    await expect(signStandardWebhook({ ...params, timestampS: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe("byte helpers", () => {
  it("decodes hex in either case and refuses anything else", () => {
    expect(decodeHex("00fF")).toEqual(new Uint8Array([0, 255]));
    for (const bad of ["0", "0g", " 00", "0x00"]) expect(decodeHex(bad)).toBeNull();
  });

  it("decodes standard base64, padded or not, and refuses other alphabets and lengths", () => {
    expect(decodeBase64("AP8=")).toEqual(new Uint8Array([0, 255]));
    expect(decodeBase64("AP8")).toEqual(new Uint8Array([0, 255]));
    for (const bad of ["A", "AP8==", "A=P8", "-_8=", "AP 8", "AP8=\n", "éé=="]) expect(decodeBase64(bad)).toBeNull();
  });

  it("compares MACs by bytes", () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1]))).toBe(false);
  });

  it("imports each secret once per decoding and forgets the least recently used past 256", async () => {
    const first = importHmacKey("cache-probe", "utf8");
    expect(importHmacKey("cache-probe", "utf8")).toBe(first);
    expect(importHmacKey("cache-probe", "standard-webhooks-or-utf8")).not.toBe(first);
    for (let i = 0; i < 256; i++) await importHmacKey(`filler-${i}`, "utf8");
    expect(importHmacKey("cache-probe", "utf8")).not.toBe(first);
    expect(await importHmacKey("", "utf8")).toBeNull();
    expect(await importHmacKey("whsec_!!", "standard-webhooks")).toBeNull();
  });

  it("hashes to lowercase hex", async () => {
    expect(await sha256Hex(bytes("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
