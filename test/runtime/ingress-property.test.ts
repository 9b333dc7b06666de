// Property: whatever signature headers, body and event type a caller sends, ingress answers a
// problem in {400, 401, 413, 422} (never a 500) and enqueues nothing, for every scheme and provider preset in the registry.
// Values include 8 KB strings, 100-entry lists, unicode and plausible-looking MACs and timestamps.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { schemeOf } from "../../src/core/signatures/index";
import { baseConfig, call, envWith, expectStamped, recordingQueue, SIGNED_SCHEMES, type SignedScheme } from "./helpers";

const RUNS_PER_SCHEME = 50;
const MAX_BODY = 1024;

const CORE = new Set<string>(["standard-webhooks", "hmac-sha256-hex", "stripe", "github", "shopify", "slack"]);
/** Fewer runs per provider preset: the presets share the scheme machinery the core six exercise fully. */
const RUNS_PER_PRESET = 12;

/** Every header a scheme reads its signature material from, as the registry declares them. */
const SIGNATURE_HEADERS = (scheme: SignedScheme): readonly string[] => schemeOf(scheme).signatureHeaders;

/** Headers cannot carry NUL, CR or LF at all; other controls are dropped too so Headers never throws. */
const headerSafe = (s: string): string =>
  Array.from(s)
    .filter((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code === 9 || (code >= 0x20 && code !== 0x7f);
    })
    .join("");

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));
const base64Mac = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => btoa(String.fromCharCode(...b)));
const nowS = Math.floor(Date.now() / 1000);
const timestamp = fc.oneof(
  fc.integer({ min: nowS - 600, max: nowS + 600 }).map(String),
  fc.constantFrom("0", "-1", "1e10", "99999999999999999999", "", " ", "NaN", String(nowS) + ".5"),
);
const plausible = fc.oneof(
  hex64,
  hex64.map((h) => `sha256=${h}`),
  hex64.map((h) => `v0=${h}`),
  base64Mac,
  base64Mac.map((m) => `v1,${m}`),
  fc.tuple(timestamp, hex64).map(([t, h]) => `t=${t},v1=${h}`),
);
const anyString = fc.oneof(fc.string({ maxLength: 64 }), fc.string({ unit: "grapheme", maxLength: 32 }), fc.string({ unit: "binary", maxLength: 32 }));
const signatureValue = fc.oneof(
  { arbitrary: plausible, weight: 3 },
  { arbitrary: anyString, weight: 3 },
  { arbitrary: timestamp, weight: 1 },
  { arbitrary: fc.tuple(anyString, fc.constantFrom("a", "v1,", "=", "é")).map(([s, c]) => (s + c).repeat(8192).slice(0, 8192)), weight: 1 },
  { arbitrary: fc.tuple(fc.array(fc.oneof(plausible, anyString), { minLength: 100, maxLength: 100 }), fc.constantFrom(" ", ",")).map(([a, sep]) => a.join(sep)), weight: 1 },
);

const requestParts = (scheme: SignedScheme) =>
  fc.record({
    signature: fc.tuple(...SIGNATURE_HEADERS(scheme).map(() => fc.option(signatureValue, { nil: undefined }))),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.json().map((j) => new TextEncoder().encode(j)),
      fc.uint8Array({ minLength: MAX_BODY - 2, maxLength: MAX_BODY + 400 }),
    ),
    eventType: fc.option(fc.oneof(anyString, fc.constantFrom("user.created", "*", "a..b", "x".repeat(300))), { nil: undefined }),
  });

function schemeEnv(scheme: SignedScheme) {
  const q = recordingQueue();
  const config = baseConfig({
    max_body_bytes: MAX_BODY,
    sources: { fuzzed: { verify: { scheme, secrets: ["FUZZ_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type" } },
    routing_rules: [{ event_type: "*", mode: "async", endpoint: "profiles" }],
  });
  const secret = scheme === "standard-webhooks" ? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" : "fuzz-secret";
  return { env: envWith(config, { DELIVERY_QUEUE: q.queue, FUZZ_SECRET: secret }), sent: q.sent };
}

describe.each(SIGNED_SCHEMES)("ingress under random input, scheme %s", (scheme) => {
  it("answers 400, 401, 413 or 422 as problem+json, never a 500, and enqueues nothing", async () => {
    const { env, sent } = schemeEnv(scheme);
    const names = SIGNATURE_HEADERS(scheme);
    await fc.assert(
      fc.asyncProperty(requestParts(scheme), async ({ signature, body, eventType }) => {
        const headers = new Headers({ "Content-Type": "application/json", "Content-Length": String(body.byteLength) });
        signature.forEach((value, i) => {
          const name = names[i];
          if (value !== undefined && name !== undefined) headers.set(name, headerSafe(value));
        });
        if (eventType !== undefined) headers.set("X-Event-Type", headerSafe(eventType));
        const res = await call(new Request("https://gateway.test/webhooks/fuzzed", { method: "POST", headers, body }), env);
        expect([400, 401, 413, 422]).toContain(res.status);
        expect(res.headers.get("Content-Type")).toBe("application/problem+json");
        expectStamped(res);
        expect(((await res.json()) as { status: number }).status).toBe(res.status);
        if (body.byteLength > MAX_BODY) expect(res.status).toBe(413);
      }),
      { numRuns: CORE.has(scheme) ? RUNS_PER_SCHEME : RUNS_PER_PRESET },
    );
    expect(sent).toHaveLength(0);
  });
});
