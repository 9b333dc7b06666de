// Every early answer settles the request body first (http/drain.ts): the body of each refused request
// (405, 404, 401, 403, 413, 429, 400, 500, 503, refused console and admin requests) is read to its
// end, never cancelled or left unread, unless the rest runs past the drain cap.
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { DRAIN_CAP_BYTES } from "../../src/http/drain";
import { baseConfig, call, captureLogsPerTest, envWith, recordingQueue, signedRequest, SW_SECRET } from "./helpers";

const MAX_BODY_BYTES = 1024;
captureLogsPerTest();
const ORIGIN = "https://gateway.test";

interface Tracker {
  /** Bytes handed to the reader. */
  pulled: number;
  /** The stream was read to its end. */
  ended: boolean;
  cancelled: boolean;
}

/** A request body (a byte stream, like one from the network) that records how far it was read. */
function trackedBody(bytes: Uint8Array, chunk = 512): { body: ReadableStream<Uint8Array>; tracker: Tracker } {
  const tracker: Tracker = { pulled: 0, ended: false, cancelled: false };
  const body: ReadableStream<Uint8Array> = new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (tracker.pulled >= bytes.byteLength) {
        tracker.ended = true;
        controller.close();
        return;
      }
      const next = bytes.slice(tracker.pulled, tracker.pulled + chunk);
      tracker.pulled += next.byteLength;
      controller.enqueue(next);
    },
    cancel() {
      tracker.cancelled = true;
    },
  });
  return { body, tracker };
}

const text = (s: string) => new TextEncoder().encode(s);
const filled = (n: number) => new Uint8Array(n).fill(0x61);
const small = text(JSON.stringify({ type: "user.created", pad: "x".repeat(600) }));

function env(extra: Record<string, unknown> = {}, config: unknown = gatewayConfig()): Env {
  return envWith(config, extra);
}

function gatewayConfig(): unknown {
  return baseConfig({
    max_body_bytes: MAX_BODY_BYTES,
    sources: {
      acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 } },
      open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } },
      limited: { verify: { scheme: "none", secrets: [], tolerance_s: 300 }, rate_limit: { requests: 1, period_s: 86_400 } },
    },
  });
}

/** A request to `path` carrying `body` in place of whatever `base` had; headers kept. */
function withBody(base: Request, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  const h = new Headers(base.headers);
  for (const [name, value] of Object.entries(headers)) h.set(name, value);
  return new Request(base.url, { method: base.method, headers: h, body });
}

function plain(method: string, path: string, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}${path}`, { method, headers: { "Content-Type": "application/json", ...headers } });
}

const form = (headers: Record<string, string> = {}) => plain("POST", "/admin/ui/login", { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...headers });
const refusingLimiter = { limit: async () => ({ success: false }) };

interface Case {
  name: string;
  status: number;
  bytes?: Uint8Array;
  /** Builds the request around the tracked body. */
  request: (body: ReadableStream<Uint8Array>) => Request | Promise<Request>;
  env?: () => Env | Promise<Env>;
}

const cases: Case[] = [
  { name: "405 PUT on ingress", status: 405, request: (b) => withBody(plain("PUT", "/webhooks/acme/user.created"), b) },
  { name: "405 PATCH on ingress", status: 405, request: (b) => withBody(plain("PATCH", "/webhooks/acme/user.created"), b) },
  { name: "404 unknown source", status: 404, request: (b) => withBody(plain("POST", "/webhooks/nobody/user.created"), b) },
  { name: "404 no such route", status: 404, request: (b) => withBody(plain("POST", "/nowhere"), b) },
  { name: "500 invalid configuration", status: 500, request: (b) => withBody(plain("POST", "/webhooks/acme/user.created"), b), env: () => env({}, "{not json") },
  {
    name: "403 transport rejected (TLS 1.2 where 1.3 is required)",
    status: 403,
    request: (b) =>
      new Request(`${ORIGIN}/webhooks/acme/user.created`, { method: "POST", headers: { "Content-Type": "application/json" }, body: b, cf: { tlsVersion: "TLSv1.2" } }),
  },
  {
    name: "401 bad signature",
    status: 401,
    request: async (b) => withBody(await signedRequest("/webhooks/acme/user.created", small, { secret: "whsec_d3Jvbmctc2VjcmV0LWZvci10ZXN0cw==" }), b),
  },
  {
    name: "413 declared length",
    status: 413,
    bytes: filled(4 * MAX_BODY_BYTES),
    request: (b) => withBody(plain("POST", "/webhooks/open/user.created"), b, { "Content-Length": String(4 * MAX_BODY_BYTES) }),
  },
  { name: "413 chunked body past the limit", status: 413, bytes: filled(4 * MAX_BODY_BYTES), request: (b) => withBody(plain("POST", "/webhooks/open/user.created"), b) },
  { name: "400 malformed Content-Length", status: 400, request: (b) => withBody(plain("POST", "/webhooks/open/user.created"), b, { "Content-Length": "12abc" }) },
  {
    name: "429 source rate limit",
    status: 429,
    request: (b) => withBody(plain("POST", "/webhooks/limited/user.created", { "X-Idempotency-Key": crypto.randomUUID() }), b),
    env: async () => {
      const e = env({ DELIVERY_QUEUE: recordingQueue().queue });
      const spend = await call(plain("POST", "/webhooks/limited/user.created"), e); // the source's one token
      expect(spend.status).toBe(202);
      return e;
    },
  },
  { name: "400 sync route without idempotency key", status: 400, request: (b) => withBody(plain("POST", "/webhooks/open/payment.authorize"), b) },
  {
    name: "503 queue unavailable",
    status: 503,
    request: (b) => withBody(plain("POST", "/webhooks/open/user.created"), b),
    env: () => env({ DELIVERY_QUEUE: recordingQueue({ fail: true }).queue }),
  },
  { name: "401 admin without token", status: 401, request: (b) => withBody(plain("POST", "/admin/dlq/replay"), b) },
  { name: "404 admin without ADMIN_TOKEN", status: 404, request: (b) => withBody(plain("POST", "/admin/dlq/replay"), b), env: () => env({ ADMIN_TOKEN: undefined }) },
  { name: "429 admin rate limit", status: 429, request: (b) => withBody(plain("POST", "/admin/dlq/replay"), b), env: () => env({ ADMIN_RATE_LIMIT: refusingLimiter }) },
  { name: "403 console form from another origin", status: 403, request: (b) => withBody(form({ Origin: "https://elsewhere.example" }), b) },
  { name: "400 console form of the wrong type", status: 400, request: (b) => withBody(form({ "Content-Type": "text/plain" }), b) },
  { name: "400 console form too large", status: 400, bytes: filled(20 * 1024), request: (b) => withBody(form(), b) },
  {
    name: "303 console form without a session",
    status: 303,
    request: (b) => withBody(plain("POST", "/admin/ui/dlq/x/replay", { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN }), b),
  },
  { name: "429 console rate limit", status: 429, request: (b) => withBody(form(), b), env: () => env({ ADMIN_RATE_LIMIT: refusingLimiter }) },
  { name: "404 console without ADMIN_TOKEN", status: 404, request: (b) => withBody(form(), b), env: () => env({ ADMIN_TOKEN: undefined }) },
];

describe("early answers settle the request body", () => {
  it.each(cases)("$name: answers $status after reading the body to its end", async (c) => {
    const e = c.env === undefined ? env() : await c.env();
    const bytes = c.bytes ?? small;
    const { body, tracker } = trackedBody(bytes);
    const request = await c.request(body);
    const res = await call(request, e);
    expect(res.status).toBe(c.status);
    await res.body?.cancel();
    expect(tracker).toEqual({ pulled: bytes.byteLength, ended: true, cancelled: false });
    expect(request.bodyUsed).toBe(true);
  });

  it("still accepts a valid event after the body was read by the route", async () => {
    const { body, tracker } = trackedBody(small);
    const request = withBody(await signedRequest("/webhooks/acme/user.created", small, { secret: SW_SECRET }), body);
    const res = await call(request, env({ DELIVERY_QUEUE: recordingQueue().queue }));
    expect(res.status).toBe(202);
    expect(tracker).toEqual({ pulled: small.byteLength, ended: true, cancelled: false });
  });

  it("cancels, unread, a body whose declared length is past the drain cap", async () => {
    const big = 4 * DRAIN_CAP_BYTES;
    const { body, tracker } = trackedBody(filled(big), 16 * 1024);
    const res = await call(withBody(plain("PUT", "/webhooks/acme/user.created"), body, { "Content-Length": String(big) }), env());
    expect(res.status).toBe(405);
    expect(tracker).toMatchObject({ ended: false, cancelled: true });
    expect(tracker.pulled).toBeLessThanOrEqual(16 * 1024); // at most what the stream had queued
  });

  it("drains a chunked body past the limit up to the cap, then cancels the rest", async () => {
    const big = 4 * DRAIN_CAP_BYTES;
    const chunk = 4 * 1024;
    const { body, tracker } = trackedBody(filled(big), chunk);
    const res = await call(withBody(plain("POST", "/webhooks/open/user.created"), body), env());
    expect(res.status).toBe(413);
    expect(tracker).toMatchObject({ ended: false, cancelled: true });
    // What the reader took up to the limit, then at most the cap (and one chunk read ahead).
    expect(tracker.pulled).toBeGreaterThan(DRAIN_CAP_BYTES);
    expect(tracker.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 1 + DRAIN_CAP_BYTES + 2 * chunk);
  });
});
