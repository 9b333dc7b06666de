// A signed prefix (and suffix) is joined to a body in the free room around it (no copy of the body),
// and only there: bodies without room are copied, and bytes outside a view's room are never written.
import { describe, expect, it } from "vitest";
import { joinAround, joinPrefix, PREFIX_ROOM, SUFFIX_ROOM, viewWithRoom } from "../../src/core/bytes";
import { producerHeaders, verifySignature } from "../../src/core/signatures/index";

const signed = async (secret: string, id: string, body: Uint8Array) => new Headers(await producerHeaders("standard-webhooks", { secret, body, timestampS: 1700000000, id }));

const enc = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function bodyWithRoom(content: string, room = PREFIX_ROOM, after = 0): Uint8Array {
  const bytes = enc.encode(content);
  const view = viewWithRoom(new ArrayBuffer(room + bytes.length + after), room, bytes.length);
  view.set(bytes);
  return view;
}

describe("joinPrefix", () => {
  it("writes the prefix into the room before the body and shares the body's buffer", () => {
    const body = bodyWithRoom('{"a":1}');
    const joined = joinPrefix(enc.encode("msg_1.1700000000."), body);
    expect(text(joined)).toBe('msg_1.1700000000.{"a":1}');
    expect(joined.buffer).toBe(body.buffer);
    expect(text(body)).toBe('{"a":1}');
  });

  it("gives the right bytes when a second, shorter prefix is joined to the same body", () => {
    const body = bodyWithRoom("payload");
    joinPrefix(enc.encode("a-much-longer-prefix."), body);
    expect(text(joinPrefix(enc.encode("v0:1:"), body))).toBe("v0:1:payload");
  });

  it("copies a body that has no room before it", () => {
    const body = enc.encode("payload");
    const joined = joinPrefix(enc.encode("p."), body);
    expect(text(joined)).toBe("p.payload");
    expect(joined.buffer).not.toBe(body.buffer);
  });

  it("copies when the prefix is longer than the room", () => {
    const body = bodyWithRoom("payload", 2);
    const joined = joinPrefix(enc.encode("three"), body);
    expect(text(joined)).toBe("threepayload");
    expect(joined.buffer).not.toBe(body.buffer);
  });

  it("never writes before a view that was not made with room, even if its buffer has bytes there", () => {
    const whole = enc.encode("KEEP-THESE|payload");
    const body = whole.subarray(11);
    expect(text(joinPrefix(enc.encode("p."), body))).toBe("p.payload");
    expect(text(whole)).toBe("KEEP-THESE|payload");
  });
});

describe("joinAround", () => {
  it("writes prefix and suffix around the body in place when its buffer has room on both sides", () => {
    const body = bodyWithRoom('{"a":1}', PREFIX_ROOM, SUFFIX_ROOM);
    const joined = joinAround(enc.encode("POST https://x/"), body, enc.encode("2024-01-01T00:00:00Z"));
    expect(text(joined)).toBe('POST https://x/{"a":1}2024-01-01T00:00:00Z');
    expect(joined.buffer).toBe(body.buffer);
    expect(text(body)).toBe('{"a":1}');
    expect(text(joinAround(enc.encode(""), body, enc.encode("u")))).toBe('{"a":1}u');
  });

  it("copies when the suffix is longer than the room after, or the view was not made with room", () => {
    const short = bodyWithRoom("payload", PREFIX_ROOM, 3);
    const joined = joinAround(enc.encode("p"), short, enc.encode("four"));
    expect(text(joined)).toBe("ppayloadfour");
    expect(joined.buffer).not.toBe(short.buffer);
    const whole = enc.encode("payload|KEEP");
    const plain = whole.subarray(0, 7);
    expect(text(joinAround(enc.encode(""), plain, enc.encode("|x")))).toBe("payload|x");
    expect(text(whole)).toBe("payload|KEEP");
  });

  it("is joinPrefix without a suffix", () => {
    const body = bodyWithRoom("payload");
    expect(text(joinAround(enc.encode("v0:"), body, new Uint8Array(0)))).toBe("v0:payload");
  });
});

describe("verification of a body read with room", () => {
  it("verifies a Standard Webhooks signature and leaves the body bytes untouched", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = bodyWithRoom('{"type":"user.created"}');
    const headers = await signed(secret, "msg_1", enc.encode('{"type":"user.created"}'));
    const result = await verifySignature("standard-webhooks", { headers, body, secrets: [secret], toleranceS: 300, nowMs: 1700000000 * 1000 });
    expect(result.ok).toBe(true);
    expect(text(body)).toBe('{"type":"user.created"}');
  });

  it("gives the same replay digest and body hash with or without room", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const content = '{"type":"user.created"}';
    const headers = await signed(secret, "msg_2", enc.encode(content));
    const verify = (body: Uint8Array) => verifySignature("standard-webhooks", { headers, body, secrets: [secret], toleranceS: 300, nowMs: 1700000000 * 1000 });
    const [roomy, plain] = await Promise.all([verify(bodyWithRoom(content)), verify(enc.encode(content))]);
    expect(roomy).toEqual(plain);
    expect(roomy.ok && roomy.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
