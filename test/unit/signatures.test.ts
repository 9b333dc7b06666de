// Known-answer vectors for every scheme, the dispatcher, the outbound Standard Webhooks signer,
// and the byte helpers the schemes rely on.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  sha256Hex,
  signStandardWebhook,
  verifyGitHub,
  verifyHmacSha256Hex,
  verifyShopify,
  verifySignature,
  verifySlack,
  verifyStandardWebhooks,
  verifyStripe,
} from "../../src/core/signatures/index";
import { decodeBase64, decodeHex, importHmacKey, timingSafeEqual } from "../../src/core/signatures/hmac";
import { NOW_MS, TOLERANCE_S, bytes, fixtures, input } from "./signatures-fixtures";

const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW_TS = 1614265330;
const SW_BODY = bytes('{"test": 2432232314}');
const SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

function at(timestampS: number, headers: Record<string, string>, body: Uint8Array, secret: string) {
  return { headers: new Headers(headers), body, secrets: [secret], toleranceS: TOLERANCE_S, nowMs: timestampS * 1000 };
}

describe("known-answer vectors", () => {
  it("accepts the Standard Webhooks specification example", async () => {
    const headers = { "webhook-id": SW_ID, "webhook-timestamp": String(SW_TS), "webhook-signature": SW_SIGNATURE };
    const result = await verifyStandardWebhooks(at(SW_TS, headers, SW_BODY, SW_SECRET));
    expect(result.ok).toBe(true);
  });

  it("accepts GitHub's documented example", async () => {
    const headers = { "X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" };
    const result = await verifyGitHub(at(0, headers, bytes("Hello, World!"), "It's a Secret to Everybody"));
    expect(result.ok).toBe(true);
  });

  // Literal values computed once with `node -e` and node:crypto's createHmac.
  it("accepts a Stripe vector", async () => {
    const body = bytes('{"id":"evt_1","object":"event"}');
    const v1 = "0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd";
    expect(createHmac("sha256", "whsec_test_secret").update('1700000000.{"id":"evt_1","object":"event"}').digest("hex")).toBe(v1);
    const headers = { "Stripe-Signature": `t=1700000000,v1=${v1},v0=${"0".repeat(64)}` };
    expect((await verifyStripe(at(1700000000, headers, body, "whsec_test_secret"))).ok).toBe(true);
  });

  it("accepts a Shopify vector", async () => {
    const body = bytes('{"id":820982911946154500}');
    const mac = "yYDzzGXpa38/AEhKuoflSKD+8mPXiMc4goA7uHZ4dYw=";
    expect(createHmac("sha256", "shpss_test_secret").update(body).digest("base64")).toBe(mac);
    const result = await verifyShopify(at(0, { "X-Shopify-Hmac-Sha256": mac }, body, "shpss_test_secret"));
    expect(result.ok).toBe(true);
  });

  it("accepts a Slack vector", async () => {
    const body = bytes("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J");
    const v0 = "bca5eef5dd737ed259b428b18cd24f679baa18c3fc5f1cb2a6ac9f03e717969a";
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    expect(createHmac("sha256", secret).update("v0:1531420618:").update(body).digest("hex")).toBe(v0);
    const headers = { "X-Slack-Signature": `v0=${v0}`, "X-Slack-Request-Timestamp": "1531420618" };
    expect((await verifySlack(at(1531420618, headers, body, secret))).ok).toBe(true);
  });

  it("accepts an hmac-sha256-hex vector, with or without the sha256= prefix and in either case", async () => {
    const body = bytes('{"type":"payment.authorize"}');
    const mac = "f8cb2fa10322f6d0a08f524c9f1068e661e4bebc695cd8c775663a630cd148ef";
    expect(createHmac("sha256", "legacy-secret").update(body).digest("hex")).toBe(mac);
    for (const signature of [mac, `sha256=${mac}`, `SHA256=${mac.toUpperCase()}`]) {
      const headers = { "X-Signature": signature, "X-Timestamp": "1700000000" };
      expect((await verifyHmacSha256Hex(at(1700000000, headers, body, "legacy-secret"))).ok).toBe(true);
    }
  });
});

describe("verifySignature", () => {
  it.each(fixtures)("dispatches $scheme to its verifier", async (fixture) => {
    const body = bytes('{"a":1}');
    const request = input(new Headers(fixture.sign(fixture.secrets[0], body, NOW_MS / 1000)), body, fixture.secrets);
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
