// Behaviour every inbound scheme shares, run against each one: rotation, wrong secret, tampering,
// missing and malformed headers, timestamp tolerance, entry caps, and the replay digest.
import { describe, expect, it } from "vitest";
import { verifyHmacSha256Hex, verifyStandardWebhooks, verifyStripe } from "../../src/core/signatures/index";
import { T, TOLERANCE_S, bytes, fixtureOf, fixtures, input } from "./signatures-fixtures";

const body = new Uint8Array([...bytes('{"type":"user.created","n":1}'), 0xff, 0x00]);

/** Schemes that sign the body bytes; those signing body fields (Mailgun, Adyen) have their own file. */
const exact = fixtures.filter((f) => f.covers !== "nothing" && f.covers !== "fields");
const tokenOnly = fixtures.filter((f) => f.covers === "nothing");

describe.each(tokenOnly)("$scheme (a shared token, no signature over the body)", (fixture) => {
  const verify = (headers: Record<string, string>, secrets: readonly string[] = fixture.secrets) => fixture.verify(input(new Headers(headers), body, secrets));
  const signed = (secret: string) => fixture.sign(secret, body, T);

  it("accepts either secret, with no replay digest (nothing is signed) but the body's hash", async () => {
    for (const secret of fixture.secrets) {
      const result = await verify(await signed(secret));
      expect(result.ok && result.signatureDigest === "" && result.bodySha256 !== undefined).toBe(true);
    }
  });

  it("rejects a wrong token, a missing header, an empty one, and no secrets", async () => {
    expect(await verify(await signed("wrong"))).toEqual({ ok: false, reason: "mismatch" });
    expect(await verify({})).toEqual({ ok: false, reason: "missing_header" });
    expect(await verify(await signed(fixture.secrets[0]), [])).toEqual({ ok: false, reason: "no_secret" });
    for (const override of fixture.malformed) expect(await verify({ ...(await signed(fixture.secrets[0])), ...override })).toEqual({ ok: false, reason: "malformed_header" });
  });
});

describe.each(exact)("$scheme", (fixture) => {
  const [oldSecret, newSecret] = fixture.secrets;
  const signed = (secret = newSecret, timestampS = T) => fixture.sign(secret, body, timestampS);
  const verify = (headers: Record<string, string>, secrets: readonly string[] = fixture.secrets, payload = body) => fixture.verify(input(new Headers(headers), payload, secrets));

  it("accepts a request signed with the second of two secrets (rotation)", async () => {
    const result = await verify(await signed(newSecret));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.signatureDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts a request signed with the first secret", async () => {
    expect((await verify(await signed(oldSecret))).ok).toBe(true);
  });

  it("rejects a wrong secret as a mismatch", async () => {
    expect(await verify(await signed(newSecret), [oldSecret])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("rejects a tampered body as a mismatch", async () => {
    const tampered = body.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(await verify(await signed(), fixture.secrets, tampered)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("rejects a signature over a truncated or extended body", async () => {
    expect((await verify(await signed(), fixture.secrets, body.slice(0, -1))).ok).toBe(false);
    expect((await verify(await signed(), fixture.secrets, new Uint8Array([...body, 0x20]))).ok).toBe(false);
  });

  it.each(fixture.required)("rejects a request without %s", async (name) => {
    const headers = await signed();
    delete headers[name];
    expect(await verify(headers)).toEqual({ ok: false, reason: "missing_header" });
  });

  it.each(fixture.malformed)("rejects the malformed header %o", async (override) => {
    expect(await verify({ ...(await signed()), ...override })).toEqual({ ok: false, reason: "malformed_header" });
  });

  it("answers no_secret without secrets, before looking at headers", async () => {
    expect(await verify(await signed(), [])).toEqual({ ok: false, reason: "no_secret" });
    expect(await verify({}, [])).toEqual({ ok: false, reason: "no_secret" });
  });

  it("gives the same digest for the same message and a different one for another body", async () => {
    const a = await verify(await signed(oldSecret));
    const b = await verify(await signed(newSecret));
    const other = await fixture.verify(input(new Headers(await fixture.sign(newSecret, bytes("x"), T)), bytes("x"), fixture.secrets));
    expect(a.ok && b.ok && other.ok).toBe(true);
    if (a.ok && b.ok && other.ok) {
      expect(a.signatureDigest).toBe(b.signatureDigest);
      expect(other.signatureDigest).not.toBe(a.signatureDigest);
    }
  });

  if (fixture.timed) {
    it("accepts timestamps exactly at the tolerance in both directions", async () => {
      expect((await verify(await signed(newSecret, T - TOLERANCE_S))).ok).toBe(true);
      expect((await verify(await signed(newSecret, T + TOLERANCE_S))).ok).toBe(true);
    });

    it("rejects a stale timestamp", async () => {
      expect(await verify(await signed(newSecret, T - TOLERANCE_S - 1))).toEqual({ ok: false, reason: "stale_timestamp" });
    });

    it("rejects a future timestamp", async () => {
      expect(await verify(await signed(newSecret, T + TOLERANCE_S + 1))).toEqual({ ok: false, reason: "future_timestamp" });
    });

    const badTimes = ["", "abc", "-1", "1.5", "1e9", " 1700000000x", "1700000000000", "¹700000000", "1700000000\t1"].filter(
      (t) => fixture.timeFormat !== "unix-ms" || t !== "1700000000000",
    );
    it.each(badTimes)("rejects the timestamp %j as bad", async (timestamp) => {
      const result = await verify(fixture.retime(await signed(newSecret), timestamp));
      expect(result).toEqual({ ok: false, reason: "bad_timestamp" });
    });

    it("fails closed when the clock or the tolerance is not a number", async () => {
      const request = input(new Headers(await signed()), body, fixture.secrets);
      expect((await fixture.verify({ ...request, nowMs: Number.NaN })).ok).toBe(false);
      expect((await fixture.verify({ ...request, toleranceS: Number.NaN })).ok).toBe(false);
    });
  } else {
    it("ignores time: a request verifies whatever the clock says", async () => {
      const request = input(new Headers(await signed()), body, fixture.secrets);
      expect((await fixture.verify({ ...request, nowMs: 0 })).ok).toBe(true);
    });
  }
});

describe("schemes with several signature entries", () => {
  const sw = fixtureOf("standard-webhooks");
  const swSecret = sw.secrets[0];
  const swSigned = () => sw.sign(swSecret, body, T);

  it("standard-webhooks: finds the valid v1 entry among others and ignores other versions", async () => {
    const swHeaders = await swSigned();
    const junk = [`v2,${Buffer.alloc(32).toString("base64")}`, `v1,${Buffer.alloc(32, 3).toString("base64")}`, "v1a,x"];
    const headers = { ...swHeaders, "webhook-signature": [...junk, swHeaders["webhook-signature"]].join("  ") };
    expect((await verifyStandardWebhooks(input(new Headers(headers), body, [swSecret]))).ok).toBe(true);
  });

  it("standard-webhooks: refuses more than 16 entries before any crypto", async () => {
    const swHeaders = await swSigned();
    const swSignature = swHeaders["webhook-signature"] ?? "";
    const many = Array.from({ length: 16 }, () => swSignature);
    const ok = { ...swHeaders, "webhook-signature": many.join(" ") };
    expect((await verifyStandardWebhooks(input(new Headers(ok), body, [swSecret]))).ok).toBe(true);
    const tooMany = { ...swHeaders, "webhook-signature": [...many, swSignature].join(" ") };
    const result = await verifyStandardWebhooks(input(new Headers(tooMany), body, [swSecret]));
    expect(result).toEqual({ ok: false, reason: "too_many_signatures" });
  });

  it("stripe: accepts any of several v1 entries, and refuses more than 16 entries", async () => {
    const stripe = fixtureOf("stripe");
    const signature = (await stripe.sign(stripe.secrets[1], body, T))["Stripe-Signature"] ?? "";
    const v1 = signature.split(",")[1] ?? "";
    const other = `v1=${"cd".repeat(32)}`;
    const ok = `t=${T},${Array.from({ length: 14 }, () => other).join(",")},${v1}`;
    expect((await verifyStripe(input(new Headers({ "Stripe-Signature": ok }), body, stripe.secrets))).ok).toBe(true);
    const tooMany = `${ok},${other}`;
    const result = await verifyStripe(input(new Headers({ "Stripe-Signature": tooMany }), body, stripe.secrets));
    expect(result).toEqual({ ok: false, reason: "too_many_signatures" });
  });

  it("standard-webhooks: a message signed for two secrets has one digest whichever entry matches", async () => {
    const [first, second] = sw.secrets;
    const swHeaders = await swSigned();
    const both = `${(await sw.sign(first, body, T))["webhook-signature"]} ${(await sw.sign(second, body, T))["webhook-signature"]}`;
    const digests = new Set<string>();
    for (const secrets of [[first], [second], [first, second], [second, first]]) {
      const result = await verifyStandardWebhooks(input(new Headers({ ...swHeaders, "webhook-signature": both }), body, secrets));
      if (result.ok) digests.add(result.signatureDigest);
    }
    expect([...digests]).toHaveLength(1);
  });

  it("hmac-sha256-hex: the unsigned X-Timestamp does not change the digest, so a replay cannot dodge it", async () => {
    const hex = fixtureOf("hmac-sha256-hex");
    const a = await verifyHmacSha256Hex(input(new Headers(await hex.sign(hex.secrets[0], body, T)), body, hex.secrets));
    const b = await verifyHmacSha256Hex(input(new Headers(await hex.sign(hex.secrets[0], body, T + 60)), body, hex.secrets));
    expect(a.ok && b.ok && a.signatureDigest === b.signatureDigest).toBe(true);
  });

  it("digests differ between schemes that sign the same bytes", async () => {
    const hex = fixtureOf("hmac-sha256-hex");
    const github = fixtureOf("github");
    const secret = "shared";
    const a = await hex.verify(input(new Headers(await hex.sign(secret, body, T)), body, [secret]));
    const b = await github.verify(input(new Headers(await github.sign(secret, body, T)), body, [secret]));
    expect(a.ok && b.ok && a.signatureDigest !== b.signatureDigest).toBe(true);
  });
});
