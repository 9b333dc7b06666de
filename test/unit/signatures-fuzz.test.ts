// Property tests: whatever the headers, body, secrets or clock, every verifier resolves (never
// throws or rejects) and accepts only what was signed with one of the secrets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signStandardWebhook, verifySignature, verifyStandardWebhooks } from "../../src/core/signatures/index";
import { NOW_MS, RawHeaders, T, TOLERANCE_S, fixtures, input } from "./signatures-fixtures";

const PREFIXES = ["", "v1,", "v0=", "v1=", "sha256=", "t=", `t=${T},v1=`, "whsec_"];

/** A MAC-shaped text: exactly 64 hex digits or 44 base64 characters, the lengths the schemes want. */
const macText = fc.oneof(
  fc.stringMatching(/^[0-9a-fA-F]{64}$/),
  fc.stringMatching(/^[A-Za-z0-9+/]{43}$/).map((text) => `${text}=`),
);

/** One signature-ish entry: random text, a timestamp pair, or a known prefix before a MAC-shaped text. */
const entry = fc.oneof(
  fc.string({ unit: "binary", maxLength: 48 }),
  fc.constant(`t=${T}`),
  fc.tuple(fc.constantFrom(...PREFIXES), macText).map(([prefix, mac]) => prefix + mac),
);

/** Header values: empty, unicode, ~8 KB, up to 100 separated entries, current and odd timestamps. */
const headerValue = fc.oneof(
  { weight: 3, arbitrary: entry },
  { weight: 2, arbitrary: fc.constantFrom(String(T), String(T - 10_000), `${T}000`, "-1", "NaN", "١٧٠٠٠٠٠٠٠٠") },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.array(entry, { maxLength: 100 }), fc.constantFrom(" ", ",", ", ", "  ")).map(([entries, separator]) => entries.join(separator)),
  },
  fc.constant(""),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.string({ minLength: 1, maxLength: 4 }).map((chunk) => chunk.repeat(Math.ceil(8192 / chunk.length))),
);

const secretsArb = (valid: readonly string[]) => fc.oneof(fc.constant(valid), fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 3 }));

const clock = fc.record({
  nowMs: fc.oneof(fc.constant(NOW_MS), fc.double()),
  toleranceS: fc.oneof(fc.constant(TOLERANCE_S), fc.double()),
});

/** A valid header value left alone or with a few characters replaced at a random place. */
function valueFor(valid: string) {
  const mutated = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: "binary", maxLength: 3 })).map(([at, removed, inserted]) => {
    const cut = at % (valid.length + 1);
    return valid.slice(0, cut) + inserted + valid.slice(cut + removed);
  });
  return fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, { weight: 2, arbitrary: mutated }, { weight: 3, arbitrary: headerValue });
}

describe.each(fixtures)("$scheme under arbitrary input", (fixture) => {
  // A token preset's header is the secret itself, valid whatever the body: its own test covers it.
  it.skipIf(fixture.covers === "nothing")("resolves with ok:false for headers that were not signed", async () => {
    // Signed over 600 bytes, longer than any generated body, so no generated request is genuine.
    const signedElsewhere = await fixture.sign(fixture.secrets[0], new Uint8Array(600).fill(0x61), T);
    const headers = fc.tuple(...fixture.required.map((name) => fc.option(valueFor(signedElsewhere[name] ?? ""), { nil: undefined }).map((v) => [name, v] as const)));
    await fc.assert(
      fc.asyncProperty(headers, fc.uint8Array({ maxLength: 512 }), secretsArb(fixture.secrets), clock, async (pairs, body, secrets, time) => {
        const values: Record<string, string> = {};
        for (const [name, value] of pairs) if (value !== undefined) values[name] = value;
        const result = await verifySignature(fixture.scheme, { ...input(new RawHeaders(values), body, secrets), ...time });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it.skipIf(fixture.covers === "nothing" || fixture.covers === "form" || fixture.covers === "fields")(
    "accepts a correctly signed body of any bytes, and refuses it once a byte flips",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.nat(), fc.boolean(), async (body, at, second) => {
          const secret = second ? fixture.secrets[1] : fixture.secrets[0];
          const headers = new Headers(await fixture.sign(secret, body, T));
          expect((await fixture.verify(input(headers, body, fixture.secrets))).ok).toBe(true);
          const flipped = body.slice();
          const index = at % flipped.length;
          flipped[index] = (flipped[index] ?? 0) ^ 0x01;
          expect(await fixture.verify(input(headers, flipped, fixture.secrets))).toEqual({ ok: false, reason: "mismatch" });
        }),
        { numRuns: 50 },
      );
    },
  );

  it("survives 8 KB values and 100 entries in real Headers", async () => {
    const eightKb = "a".repeat(8192);
    const hundred = Array.from({ length: 100 }, () => `v1,${"A".repeat(43)}=`).join(" ");
    for (const value of [eightKb, hundred, hundred.replaceAll(" ", ","), "ÿ".repeat(8192)]) {
      const headers = new Headers(Object.fromEntries(fixture.required.map((name) => [name, value])));
      const result = await fixture.verify(input(headers, new Uint8Array(), fixture.secrets));
      expect(result.ok).toBe(false);
    }
  });
});

describe("signStandardWebhook round trip", () => {
  it("verifies with each secret it signed with, for any id, time and body", async () => {
    const secret = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((key) => `whsec_${Buffer.from(key).toString("base64")}`);
    const id = fc.string({ unit: "binary", minLength: 1, maxLength: 256 });
    await fc.assert(
      fc.asyncProperty(
        id,
        fc.integer({ min: -TOLERANCE_S, max: TOLERANCE_S }),
        fc.uint8Array({ maxLength: 1024 }),
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        async (messageId, skew, body, secrets) => {
          const timestampS = T + skew;
          const signature = await signStandardWebhook({ id: messageId, timestampS, body, secrets });
          expect(signature.split(" ")).toHaveLength(secrets.length);
          const headers = new RawHeaders({ "webhook-id": messageId, "webhook-timestamp": String(timestampS), "webhook-signature": signature });
          for (const one of secrets) expect((await verifyStandardWebhooks(input(headers, body, [one]))).ok).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
