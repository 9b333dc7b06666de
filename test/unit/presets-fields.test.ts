// The presets whose signature rides in the body (Mailgun's `signature` object or form fields,
// Adyen's per-item `hmacSignature`): the producer writes exactly the reference body, rotation, wrong
// secret, tampered signed fields, stale timestamps, missing and malformed signatures, and what the
// providers leave unsigned (the edge cannot protect it; the README says so).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { producerBody, verifySignature } from "../../src/core/signatures/index";
import { NOW_MS, T, TOLERANCE_S, bytes, fixtureOf, input } from "./signatures-fixtures";

const json = (value: unknown) => bytes(JSON.stringify(value));
const verify = (scheme: "mailgun" | "adyen", body: Uint8Array, secrets: readonly string[], nowMs = NOW_MS) =>
  verifySignature(scheme, { ...input(new Headers(), body, secrets), nowMs });

describe.each(["mailgun", "adyen"] as const)("%s: the producer", (scheme) => {
  it("writes exactly the reference body of the vector", async () => {
    const { vector } = fixtureOf(scheme);
    const body = await producerBody(scheme, { secret: vector.secret, body: bytes(vector.unsigned ?? ""), timestampS: vector.timestampS, id: vector.id });
    expect(new TextDecoder().decode(body)).toBe(vector.body);
  });
});

describe("mailgun", () => {
  const [oldKey, newKey] = fixtureOf("mailgun").secrets;
  const token = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123";
  const mac = (key: string, t: number | string = T, tok = token) => createHmac("sha256", key).update(`${t}${tok}`).digest("hex");
  const event = { event: "delivered", id: "CPgfbmQMTCKtHW6uIWtuVe", timestamp: 1521472262.908181 };
  const signedJson = (key: string, t = T, extra: Record<string, unknown> = {}) =>
    json({ signature: { token, timestamp: String(t), signature: mac(key, t), ...extra }, "event-data": event });

  it("accepts either key of a rotation, with a digest of timestamp + token and the whole body's hash", async () => {
    const a = await verify("mailgun", signedJson(oldKey), [oldKey, newKey]);
    const b = await verify("mailgun", signedJson(newKey), [oldKey, newKey]);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.signatureDigest).toBe(b.signatureDigest);
      expect(a.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("accepts a numeric timestamp and a subaccount's parent-signature under the primary account's key", async () => {
    expect((await verify("mailgun", json({ signature: { token, timestamp: T, signature: mac(newKey) }, "event-data": event }), [newKey])).ok).toBe(true);
    const sub = json({ signature: { token, timestamp: String(T), signature: mac("subaccount-key"), "parent-signature": mac(newKey) }, "event-data": event });
    expect((await verify("mailgun", sub, [newKey])).ok).toBe(true);
  });

  it("accepts the form fields of legacy webhooks", async () => {
    const form = new URLSearchParams({ event: "delivered", "message-id": "m1", timestamp: String(T), token, signature: mac(newKey) });
    expect((await verify("mailgun", bytes(form.toString()), [newKey])).ok).toBe(true);
    form.set("token", `${token}x`);
    expect(await verify("mailgun", bytes(form.toString()), [newKey])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses a wrong key, a changed token or timestamp, and a stale or future timestamp", async () => {
    expect(await verify("mailgun", signedJson(newKey), [oldKey])).toEqual({ ok: false, reason: "mismatch" });
    const tampered = json({ signature: { token: `x${token.slice(1)}`, timestamp: String(T), signature: mac(newKey) }, "event-data": event });
    expect(await verify("mailgun", tampered, [newKey])).toEqual({ ok: false, reason: "mismatch" });
    const moved = json({ signature: { token, timestamp: String(T + 1), signature: mac(newKey) }, "event-data": event });
    expect(await verify("mailgun", moved, [newKey])).toEqual({ ok: false, reason: "mismatch" });
    expect(await verify("mailgun", signedJson(newKey, T - TOLERANCE_S - 1), [newKey])).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await verify("mailgun", signedJson(newKey, T + TOLERANCE_S + 1), [newKey])).toEqual({ ok: false, reason: "future_timestamp" });
    expect((await verify("mailgun", signedJson(newKey, T - TOLERANCE_S), [newKey])).ok).toBe(true);
  });

  it("refuses a body without the signature, and malformed signature fields", async () => {
    for (const body of [
      bytes(""),
      bytes("not json"),
      json({ "event-data": event }),
      json({ signature: { token, timestamp: String(T) } }),
      json([1]),
      new Uint8Array([0xff, 0x00]),
    ]) {
      expect(await verify("mailgun", body, [newKey])).toEqual({ ok: false, reason: "missing_header" });
    }
    for (const signature of [
      { token, timestamp: String(T), signature: mac(newKey).slice(1) },
      { token, timestamp: String(T), signature: "zz".repeat(32) },
      { token: "", timestamp: String(T), signature: mac(newKey, T, "") },
      { token: "t".repeat(257), timestamp: String(T), signature: mac(newKey) },
    ]) {
      expect(await verify("mailgun", json({ signature, "event-data": event }), [newKey])).toEqual({ ok: false, reason: "malformed_header" });
    }
    expect(await verify("mailgun", json({ signature: { token, timestamp: "1e9", signature: mac(newKey) } }), [newKey])).toEqual({ ok: false, reason: "bad_timestamp" });
    expect(await verify("mailgun", signedJson(newKey), [])).toEqual({ ok: false, reason: "no_secret" });
  });

  it("does not cover the event data (Mailgun signs timestamp + token only); the replay digest stays the same", async () => {
    const original = await verify("mailgun", signedJson(newKey), [newKey]);
    const changed = await verify("mailgun", json({ signature: { token, timestamp: String(T), signature: mac(newKey) }, "event-data": { ...event, event: "failed" } }), [newKey]);
    expect(original.ok && changed.ok).toBe(true);
    if (original.ok && changed.ok) {
      expect(changed.signatureDigest).toBe(original.signatureDigest);
      expect(changed.bodySha256).not.toBe(original.bodySha256);
    }
  });
});

describe("adyen", () => {
  const [docsKey, otherKey] = fixtureOf("adyen").secrets;
  const item = (n: number) => ({
    pspReference: `79140733813422${n}`,
    merchantAccountCode: "TestMerchant",
    merchantReference: `order-${n}`,
    amount: { value: 1130 + n, currency: "EUR" },
    eventCode: "AUTHORISATION",
    success: "true",
    reason: "unsigned",
  });
  const sign = async (key: string, items: Record<string, unknown>[]) =>
    producerBody("adyen", { secret: key, body: json({ live: "false", notificationItems: items.map((i) => ({ NotificationRequestItem: i })) }), timestampS: T, id: "unused" });
  const parsed = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body)) as { notificationItems: { NotificationRequestItem: Record<string, unknown> }[] };

  it("verifies Adyen's documented notification and signature (HmacValidator's test vector)", async () => {
    const { vector } = fixtureOf("adyen");
    expect(parsed(bytes(vector.body)).notificationItems[0]?.NotificationRequestItem["additionalData"]).toEqual({ hmacSignature: "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=" });
    expect((await verify("adyen", bytes(vector.body), [docsKey])).ok).toBe(true);
  });

  it("accepts either key of a rotation and a batch whose every item verifies", async () => {
    expect((await verify("adyen", await sign(otherKey, [item(1)]), [docsKey, otherKey])).ok).toBe(true);
    expect((await verify("adyen", await sign(docsKey, [item(1), item(2), item(3)]), [otherKey, docsKey])).ok).toBe(true);
  });

  it("refuses a wrong key, a changed signed field, and a batch with one bad item", async () => {
    expect(await verify("adyen", await sign(docsKey, [item(1)]), [otherKey])).toEqual({ ok: false, reason: "mismatch" });
    for (const change of [{ merchantReference: "order-9" }, { eventCode: "CAPTURE" }, { success: "false" }, { amount: { value: 1, currency: "EUR" } }]) {
      const body = parsed(await sign(docsKey, [item(1)]));
      Object.assign(body.notificationItems[0]?.NotificationRequestItem ?? {}, change);
      expect(await verify("adyen", json(body), [docsKey])).toEqual({ ok: false, reason: "mismatch" });
    }
    const batch = parsed(await sign(docsKey, [item(1), item(2)]));
    Object.assign(batch.notificationItems[1]?.NotificationRequestItem ?? {}, { pspReference: "other" });
    expect(await verify("adyen", json(batch), [docsKey])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses bodies that are not signed notifications, malformed signatures and more than 16 items", async () => {
    for (const body of [bytes("{}"), bytes("x"), json({ notificationItems: [] }), json({ notificationItems: [{ NotificationRequestItem: item(1) }] })]) {
      expect(await verify("adyen", body, [docsKey])).toEqual({ ok: false, reason: "missing_header" });
    }
    expect(await verify("adyen", json({ notificationItems: [{ other: 1 }] }), [docsKey])).toEqual({ ok: false, reason: "missing_header" });
    for (const hmacSignature of ["", "AAAA", "not base64!"]) {
      const body = json({ notificationItems: [{ NotificationRequestItem: { ...item(1), additionalData: { hmacSignature } } }] });
      expect(await verify("adyen", body, [docsKey])).toEqual({ ok: false, reason: "malformed_header" });
    }
    expect(
      await verify(
        "adyen",
        await sign(
          docsKey,
          Array.from({ length: 17 }, (_, i) => item(i)),
        ),
        [docsKey],
      ),
    ).toEqual({ ok: false, reason: "too_many_signatures" });
    expect(await verify("adyen", await sign(docsKey, [item(1)]), ["not hex"])).toEqual({ ok: false, reason: "no_secret" });
  });

  it("does not cover unsigned fields (reason, eventDate, additionalData); the replay digest stays the same", async () => {
    const body = parsed(await sign(docsKey, [item(1)]));
    const original = await verify("adyen", json(body), [docsKey]);
    Object.assign(body.notificationItems[0]?.NotificationRequestItem ?? {}, { reason: "changed" });
    const changed = await verify("adyen", json(body), [docsKey]);
    expect(original.ok && changed.ok).toBe(true);
    if (original.ok && changed.ok) expect(changed.signatureDigest).toBe(original.signatureDigest);
  });
});
