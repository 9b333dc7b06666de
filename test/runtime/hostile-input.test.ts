// Hostile input that passes signature verification (a producer's key leaked, or a buggy producer):
// 8 KB header values, 100 signature entries, duplicated headers, non-UTF-8 bodies, JSON nested
// 10,000 deep where ordering keys and event-type fields are read, and objects with 100,000 keys.
// The gateway answers each with a 2xx or a 4xx problem: never a 500, never an unhandled throw.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import type { Env } from "../../src/env";
import { signStandardWebhook } from "../../src/core/signatures";
import { baseConfig, call, captureLogsPerTest, envWith, expectProblem, expectStamped, recordingQueue, SW_SECRET } from "./helpers";

const enc = new TextEncoder();
const MAX_BODY = 2_097_152;

// Ordered routes deliver from their object's alarm, possibly after a test ended: every outbound
// call of this file is answered without a network.
beforeAll(() => {
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(null, { status: 204 }));
});
afterAll(() => {
  vi.restoreAllMocks();
});

const captured = captureLogsPerTest();

/** Event type from the path, X-Event-Type, then the body's `data.type`; ordering keys read deep in the body. */
function hostileEnv(): { env: Env; sent: unknown[] } {
  const q = recordingQueue();
  const config = baseConfig({
    sources: { hostile: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "data.type" } },
    routing_rules: [
      { event_type: "user.*", mode: "async", endpoint: "profiles", ordering_key: "body:data.user.id" },
      { event_type: "order.*", mode: "async", endpoint: "profiles", ordering_key: "header:X-Order-Key" },
      { event_type: "deep.*", mode: "async", endpoint: "profiles", ordering_key: "body:a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a" },
      { event_type: "*", mode: "async", endpoint: "profiles" },
    ],
  });
  return { env: envWith(config, { DELIVERY_QUEUE: q.queue }), sent: q.sent };
}

let n = 0;

/** A correctly signed request; `edit` may then append or replace headers (after signing). */
async function signed(body: Uint8Array, opts: { path?: string; headers?: Record<string, string>; edit?: (h: Headers) => void } = {}): Promise<Request> {
  const id = `msg_hostile_${Date.now()}_${++n}`;
  const ts = Math.floor(Date.now() / 1000);
  const headers = new Headers({ "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(ts), ...opts.headers });
  headers.set("webhook-signature", await signStandardWebhook({ id, timestampS: ts, body, secrets: [SW_SECRET] }));
  opts.edit?.(headers);
  return new Request(`https://gateway.test${opts.path ?? "/webhooks/hostile"}`, { method: "POST", headers, body });
}

/** The invariant: a stamped 2xx, or a stamped 4xx problem+json; no 5xx; nothing thrown or logged as unhandled. */
async function expectHandled(res: Response): Promise<number> {
  expect(res.status).toBeLessThan(500);
  expectStamped(res);
  if (res.status >= 400) {
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(((await res.json()) as { status: number }).status).toBe(res.status);
  } else {
    await res.body?.cancel();
  }
  expect(captured.lines.filter((l) => l.includes('"unhandled_error"') || l.includes('"dispatch_failed"'))).toEqual([]);
  return res.status;
}

const nestedObjects = (depth: number, leaf: string) => `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
const nestedArrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("deeply nested JSON where the gateway reads the body", () => {
  it("reads the event type next to a 10,000-deep array and accepts the event", async () => {
    const { env, sent } = hostileEnv();
    const body = `{"data":{"type":"note.created"},"deep":${nestedArrays(10_000)}}`;
    expect(await expectHandled(await call(await signed(enc.encode(body)), env))).toBe(202);
    expect(sent).toHaveLength(1);
  });

  it("answers 422 unknown-event-type when the event-type field sits under 10,000 levels of nesting", async () => {
    const { env } = hostileEnv();
    const res = await call(await signed(enc.encode(`{"data":${nestedObjects(10_000, '{"type":"user.created"}')}}`)), env);
    await expectProblem(res.clone(), 422, "unknown-event-type");
    await expectHandled(res);
  });

  it("answers 422 ordering-key-missing when the body:… ordering path runs into 10,000-deep objects", async () => {
    const { env, sent } = hostileEnv();
    const res = await call(await signed(enc.encode(nestedObjects(10_000, "1")), { headers: { "X-Event-Type": "deep.created" } }), env);
    await expectProblem(res.clone(), 422, "ordering-key-missing");
    await expectHandled(res);
    expect(sent).toHaveLength(0);
  });

  it("handles 1,000,000-deep arrays (2 MB, within max_body_bytes) without a 500", async () => {
    const { env } = hostileEnv();
    const body = enc.encode(nestedArrays(1_000_000));
    expect(body.byteLength).toBeLessThanOrEqual(MAX_BODY);
    expect(await expectHandled(await call(await signed(body), env))).toBe(422);
  });

  it("handles unclosed 100,000-deep nesting (JSON.parse throws) as a body without an event type", async () => {
    const { env } = hostileEnv();
    expect(await expectHandled(await call(await signed(enc.encode('{"a":'.repeat(100_000))), env))).toBe(422);
  });
});

describe("huge and odd JSON objects", () => {
  it("routes an object with 100,000 keys by its event-type field", async () => {
    const { env, sent } = hostileEnv();
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(",");
    const res = await call(await signed(enc.encode(`{${keys},"data":{"type":"bulk.created"}}`)), env);
    expect(await expectHandled(res)).toBe(202);
    expect(sent).toHaveLength(1);
  });

  it.each([
    ["__proto__ carrying the event type", '{"__proto__":{"data":{"type":"user.created"}}}', 422],
    ["a duplicated key (the last one wins)", '{"data":{"type":"x y"},"data":{"type":"note.created"}}', 202],
    ["an ordering key of 1e400 (not finite)", '{"data":{"type":"user.created","user":{"id":1e400}}}', 422],
    ["an ordering key that is an object", '{"data":{"type":"user.created","user":{"id":{"toString":"u1"}}}}', 422],
    ["an ordering key of 300 characters", `{"data":{"type":"user.created","user":{"id":"${"u".repeat(300)}"}}}`, 422],
    ["an 8 KB event type in the body", `{"data":{"type":"${"a".repeat(8192)}"}}`, 422],
    ["a byte-order mark before the JSON", '\ufeff{"data":{"type":"note.created"}}', 202],
    ["JSON that is only a string", '"user.created"', 422],
  ])("answers %s without a 500", async (_name, body, status) => {
    const { env } = hostileEnv();
    expect(await expectHandled(await call(await signed(enc.encode(body)), env))).toBe(status);
  });
});

describe("non-UTF-8 bodies", () => {
  const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0x00, 0x7d]);

  it("accepts them when the event type comes from the header, and stores the exact bytes", async () => {
    const { env, sent } = hostileEnv();
    expect(await expectHandled(await call(await signed(invalidUtf8, { headers: { "X-Event-Type": "blob.uploaded", "Content-Type": "application/octet-stream" } }), env))).toBe(202);
    const envelope = sent[0] as { body: { kind: string; bytes: Uint8Array } };
    expect(envelope.body.bytes).toEqual(invalidUtf8);
  });

  it("answers 422 when the event type would have to come from the body", async () => {
    const { env } = hostileEnv();
    expect(await expectHandled(await call(await signed(invalidUtf8), env))).toBe(422);
  });
});

describe("8 KB header values, 100 signature entries, duplicated headers", () => {
  const big = "a".repeat(8192);

  it.each([
    ["X-Event-Type", 422],
    ["X-Idempotency-Key", 400],
    ["X-Order-Key", 202],
    ["X-Unrelated", 202],
    ["traceparent", 202],
  ])("answers an 8 KB %s with %i", async (header, status) => {
    const { env } = hostileEnv();
    const headers: Record<string, string> = { [header]: big };
    if (header !== "X-Event-Type") headers["X-Event-Type"] = "note.created";
    expect(await expectHandled(await call(await signed(enc.encode("{}"), { headers }), env))).toBe(status);
  });

  it("answers an 8 KB X-Order-Key on an ordered route with 422 ordering-key-missing", async () => {
    const { env } = hostileEnv();
    const res = await call(await signed(enc.encode("{}"), { headers: { "X-Event-Type": "order.created", "X-Order-Key": big } }), env);
    await expectProblem(res.clone(), 422, "ordering-key-missing");
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])("answers an 8 KB %s with 401", async (header) => {
    const { env } = hostileEnv();
    const res = await call(await signed(enc.encode("{}"), { edit: (h) => h.set(header, big) }), env);
    expect(await expectHandled(res)).toBe(401);
  });

  it.each([
    ["first", (valid: string, junk: string[]) => [valid, ...junk]],
    ["last", (valid: string, junk: string[]) => [...junk, valid]],
  ] as const)("answers 100 signature entries (the valid one %s) with 401, before any HMAC", async (_where, order) => {
    const { env, sent } = hostileEnv();
    const junk = Array.from({ length: 99 }, (_, i) => `v1,${btoa(String(i).padStart(32, "x"))}`);
    const res = await call(
      await signed(enc.encode('{"data":{"type":"note.created"}}'), {
        edit: (h) => h.set("webhook-signature", order(h.get("webhook-signature") ?? "", junk).join(" ")),
      }),
      env,
    );
    expect(await expectHandled(res)).toBe(401);
    expect(sent).toHaveLength(0);
  });

  it.each([
    ["X-Event-Type", "note.created", 422],
    ["X-Idempotency-Key", "key-1", 400],
    ["X-Order-Key", "k1", 202],
    ["webhook-id", null, 401],
    ["webhook-timestamp", null, 401],
    ["webhook-signature", null, 202],
  ] as const)("answers %s appended twice (comma-joined) without a 500", async (header, value, status) => {
    const { env } = hostileEnv();
    const res = await call(
      await signed(enc.encode('{"data":{"type":"order.created"}}'), {
        headers: { "X-Order-Key": "k0" },
        edit: (h) => {
          const current = value ?? h.get(header) ?? "";
          h.set(header, current);
          h.append(header, current);
          expect(h.get(header)).toBe(`${current}, ${current}`);
        },
      }),
      env,
    );
    expect(await expectHandled(res)).toBe(status);
  });
});

describe("random hostile requests (property)", () => {
  const headerValue = fc
    .oneof(
      fc.string({ maxLength: 64 }),
      fc.constantFrom("user.created", "order.created", "deep.created", "note.created", "*", "a..b", ""),
      fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8192 })).map(([s, len]) => s.repeat(Math.ceil(len / s.length)).slice(0, len)),
    )
    .map((s) =>
      Array.from(s)
        .filter((ch) => {
          const code = ch.codePointAt(0) ?? 0;
          return code === 9 || (code >= 0x20 && code !== 0x7f && code <= 0xff);
        })
        .join(""),
    );

  const body = fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.json({ maxDepth: 6 }).map((j) => enc.encode(j)),
    fc
      .record({ depth: fc.integer({ min: 1, max: 10_000 }), leaf: fc.json({ maxDepth: 2 }), where: fc.constantFrom("a", "data") })
      .map(({ depth, leaf, where }) => enc.encode(`{"${where}":${nestedObjects(depth, leaf)}}`)),
    fc
      .record({ keys: fc.integer({ min: 0, max: 20_000 }), type: fc.constantFrom("user.created", "order.created", "deep.created", "x") })
      .map(({ keys, type }) => enc.encode(`{${Array.from({ length: keys }, (_, i) => `"k${i}":${i},`).join("")}"data":{"type":"${type}","user":{"id":"u${keys}"}}}`)),
  );

  const request = fc.record({
    body,
    path: fc.option(fc.constantFrom("user.created", "order.created", "deep.created", "note.created", "a%20b", "a".repeat(300)), { nil: undefined }),
    headers: fc.array(fc.tuple(fc.constantFrom("X-Event-Type", "X-Order-Key", "X-Idempotency-Key", "X-Forwarded-For", "traceparent", "Content-Type"), headerValue, fc.boolean()), {
      maxLength: 6,
    }),
  });

  it("answers every signed hostile request with a 2xx or a 4xx problem, never a 500", async () => {
    const { env } = hostileEnv();
    await fc.assert(
      fc.asyncProperty(request, async ({ body: bytes, path, headers }) => {
        const req = await signed(bytes, {
          path: path === undefined ? "/webhooks/hostile" : `/webhooks/hostile/${path}`,
          edit: (h) => {
            for (const [name, value, append] of headers) {
              if (append) h.append(name, value);
              else h.set(name, value);
            }
          },
        });
        const status = await expectHandled(await call(req, env));
        // 409: the same random X-Idempotency-Key drawn twice with different bodies.
        expect([202, 400, 409, 422]).toContain(status);
      }),
      { numRuns: 150 },
    );
  });
});
