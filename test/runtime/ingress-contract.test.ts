// docs/contract.md §2 row by row, through the real app (createApp().fetch) in workerd: each error's status,
// problem type and headers, the stamp on every response, trace adoption, and the async 202.
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../src/core/envelope";
import { baseConfig, call, envWith, expectProblem, expectStamped, recordingBucket, recordingQueue, signedRequest, testEnv, SW_SECRET } from "./helpers";

const URL_BASE = "https://gateway.test";
const userEvent = JSON.stringify({ type: "user.created", user_id: "u1" });

/** An env whose queue and bucket record what the gateway hands them. */
function recordingEnv(overrides: Parameters<typeof baseConfig>[0] = {}) {
  const q = recordingQueue();
  const b = recordingBucket();
  return { env: envWith(baseConfig(overrides), { DELIVERY_QUEUE: q.queue, PAYLOADS: b.bucket }), sent: q.sent, puts: b.puts };
}

function post(path: string, body: BodyInit | null, headers: Record<string, string> = {}, init: RequestInit = {}): Request {
  return new Request(URL_BASE + path, { method: "POST", body, headers, ...init });
}

function chunkedBody(total: number, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let left = total;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(chunk, left);
      left -= n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
}

describe("methods and paths", () => {
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) {
    for (const path of ["/webhooks/acme", "/webhooks/acme/user.created"]) {
      it(`answers ${method} ${path} with 405 and Allow: POST`, async () => {
        const hasBody = method === "PUT" || method === "PATCH" || method === "DELETE";
        const res = await call(new Request(URL_BASE + path, { method, body: hasBody ? "x" : null }), envWith(baseConfig()));
        expect(res.status).toBe(405);
        expect(res.headers.get("Allow")).toBe("POST");
        expectStamped(res);
        if (method !== "HEAD") expect(((await res.json()) as { type: string }).type).toMatch(/method-not-allowed$/);
      });
    }
  }

  it("answers 404 unknown-source for a source that is not configured", async () => {
    await expectProblem(await call(post("/webhooks/nobody", userEvent), envWith(baseConfig())), 404, "unknown-source");
  });

  it("answers 404 with a stamped problem for paths outside the API", async () => {
    for (const path of ["/nope", "/webhooks", "/webhooks/acme/user.created/extra"]) {
      await expectProblem(await call(post(path, "{}"), envWith(baseConfig())), 404, "not-found");
    }
  });
});

describe("body limits", () => {
  for (const length of ["abc", "-1", "1.5", "", "1e3", "0x10"]) {
    it(`answers 400 bad-request for Content-Length ${JSON.stringify(length)} and enqueues nothing`, async () => {
      const { env, sent } = recordingEnv();
      const res = await call(post("/webhooks/open/user.created", "{}", { "Content-Length": length }), env);
      await expectProblem(res, 400, "bad-request");
      expect(sent).toHaveLength(0);
    });
  }

  it("answers 413 for a declared length above max_body_bytes without reading the body", async () => {
    const { env, sent, puts } = recordingEnv({ max_body_bytes: 1024 });
    const res = await call(post("/webhooks/open/user.created", "{}", { "Content-Length": "1025" }), env);
    await expectProblem(res, 413, "payload-too-large");
    expect(sent).toHaveLength(0);
    expect(puts).toHaveLength(0);
  });

  it("answers 413 for a chunked body without Content-Length that passes the default 2 MiB limit by one byte", async () => {
    const { env, sent, puts } = recordingEnv();
    const req = post("/webhooks/open/user.created", chunkedBody(2 * 1024 * 1024 + 1));
    expect(req.headers.get("Content-Length")).toBeNull();
    await expectProblem(await call(req, env), 413, "payload-too-large");
    expect(sent).toHaveLength(0);
    expect(puts).toHaveLength(0);
  });

  it("accepts a chunked body of exactly 2 MiB (the limit is inclusive)", async () => {
    const { env, sent, puts } = recordingEnv();
    const res = await call(post("/webhooks/open/user.created", chunkedBody(2 * 1024 * 1024)), env);
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    expect(puts).toHaveLength(1);
  });

  it("answers 413 when the body streams past the limit under a Content-Length that lies low", async () => {
    const { env, sent, puts } = recordingEnv();
    const before = (await testEnv.PAYLOADS.list({ prefix: "payloads/" })).objects.length;
    const req = post("/webhooks/open/user.created", chunkedBody(2 * 1024 * 1024 + 1), { "Content-Length": "100" });
    await expectProblem(await call(req, env), 413, "payload-too-large");
    expect(sent).toHaveLength(0);
    expect(puts).toHaveLength(0);
    expect((await testEnv.PAYLOADS.list({ prefix: "payloads/" })).objects).toHaveLength(before);
  });

  it("answers 400 when the body is shorter or longer than a Content-Length under the limit", async () => {
    const { env, sent } = recordingEnv();
    await expectProblem(await call(post("/webhooks/open/user.created", chunkedBody(10), { "Content-Length": "100" }), env), 400, "bad-request");
    await expectProblem(await call(post("/webhooks/open/user.created", chunkedBody(100), { "Content-Length": "10" }), env), 400, "bad-request");
    expect(sent).toHaveLength(0);
  });
});

describe("signature verification", () => {
  const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const now = () => Math.floor(Date.now() / 1000);
  const variants: Record<string, () => Promise<Request>> = {
    missing: async () => post("/webhooks/acme", userEvent, { "Content-Type": "application/json", "webhook-id": "m1", "webhook-timestamp": String(now()) }),
    malformed: async () => signedRequest("/webhooks/acme", userEvent, { headers: { "webhook-signature": "v1,not-base64!!" } }),
    wrong: async () => signedRequest("/webhooks/acme", userEvent, { secret: "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" }),
    stale: async () => signedRequest("/webhooks/acme", userEvent, { timestampS: now() - 301 - 60 }),
    future: async () => signedRequest("/webhooks/acme", userEvent, { timestampS: now() + 301 + 60 }),
    tampered: async () => {
      const r = await signedRequest("/webhooks/acme", userEvent);
      return new Request(r, { body: userEvent.replace("u1", "u2") });
    },
  };

  it("answers 401 invalid-signature with one byte-identical body for every reason, and enqueues nothing", async () => {
    const { env, sent } = recordingEnv();
    const bodies = new Map<string, string>();
    for (const [reason, make] of Object.entries(variants)) {
      const req = await make();
      req.headers.set("traceparent", traceparent);
      const res = await call(req, env);
      expect(res.status, reason).toBe(401);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(res.headers.get("WWW-Authenticate")).toBeNull();
      bodies.set(reason, await res.text());
    }
    expect(new Set(bodies.values()).size).toBe(1);
    expect(JSON.parse([...bodies.values()][0] ?? "{}")).toMatchObject({ status: 401, trace_id: "0af7651916cd43dd8448eb211c80319c" });
    expect(sent).toHaveLength(0);
  });

  it("accepts the same request correctly signed (control for the 401 cases)", async () => {
    const { env, sent } = recordingEnv();
    expect((await call(await signedRequest("/webhooks/acme", userEvent, { secret: SW_SECRET }), env)).status).toBe(202);
    expect(sent).toHaveLength(1);
  });
});

describe("routing errors", () => {
  it("answers 422 unknown-event-type when neither path, header nor JSON field names one", async () => {
    const { env, sent } = recordingEnv();
    await expectProblem(await call(await signedRequest("/webhooks/acme", JSON.stringify({ kind: "user.created" })), env), 422, "unknown-event-type");
    await expectProblem(await call(await signedRequest("/webhooks/acme", "not json at all"), env), 422, "unknown-event-type");
    expect(sent).toHaveLength(0);
  });

  it("answers 422 unroutable-event when no rule matches the event type", async () => {
    const body = await expectProblem(await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "invoice.paid" })), envWith(baseConfig())), 422, "unroutable-event");
    expect(body.detail).toContain("invoice.paid");
  });

  it("answers 400 idempotency-key-required on a sync route without any key", async () => {
    const { env } = recordingEnv();
    await expectProblem(await call(post("/webhooks/open/payment.authorize", "{}"), env), 400, "idempotency-key-required");
  });

  it("answers 422 ordering-key-missing on ordered routes (body: and header: forms)", async () => {
    const { env, sent } = recordingEnv({
      routing_rules: [
        { event_type: "order.placed", mode: "async", endpoint: "profiles", ordering_key: "body:customer.id" },
        { event_type: "order.synced", mode: "async", endpoint: "profiles", ordering_key: "header:X-Tenant" },
      ],
    });
    await expectProblem(await call(post("/webhooks/open/order.placed", JSON.stringify({ customer: {} })), env), 422, "ordering-key-missing");
    await expectProblem(await call(post("/webhooks/open/order.placed", JSON.stringify({ customer: { id: { nested: 1 } } })), env), 422, "ordering-key-missing");
    await expectProblem(await call(post("/webhooks/open/order.synced", "{}"), env), 422, "ordering-key-missing");
    await expectProblem(await call(post("/webhooks/open/order.synced", "{}", { "X-Tenant": "   " }), env), 422, "ordering-key-missing");
    expect(sent).toHaveLength(0);
    expect((await call(post("/webhooks/open/order.placed", JSON.stringify({ customer: { id: "c1" } })), env)).status).toBe(202);
    expect((await call(post("/webhooks/open/order.synced", "{}", { "X-Tenant": "t1" }), env)).status).toBe(202);
  });
});

describe("transport checks", () => {
  const withCf = (cf: Record<string, unknown>) => post("/webhooks/open/user.created", "{}", {}, { cf } as RequestInit);

  it("answers 403 transport-rejected below the default minimum TLS 1.3, and accepts TLS 1.3", async () => {
    const { env, sent } = recordingEnv();
    await expectProblem(await call(withCf({ tlsVersion: "TLSv1.2" }), env), 403, "transport-rejected");
    expect(sent).toHaveLength(0);
    expect((await call(withCf({ tlsVersion: "TLSv1.3" }), env)).status).toBe(202);
  });

  it("answers 403 transport-rejected for a request that arrived over plain HTTP (empty tlsVersion)", async () => {
    const { env, sent } = recordingEnv();
    const res = await call(withCf({ tlsVersion: "" }), env);
    const problemBody = await expectProblem(res, 403, "transport-rejected");
    expect(problemBody.detail).toBe("HTTPS is required.");
    expect(sent).toHaveLength(0);
  });

  it("accepts TLS 1.2 when the source's min_tls_version is 1.2", async () => {
    const cfg = baseConfig();
    cfg.sources["open"] = { verify: { scheme: "none", secrets: [] }, min_tls_version: "1.2" };
    const env = envWith(cfg, { DELIVERY_QUEUE: recordingQueue().queue });
    expect((await call(withCf({ tlsVersion: "TLSv1.2" }), env)).status).toBe(202);
    await expectProblem(await call(withCf({ tlsVersion: "TLSv1.1" }), env), 403, "transport-rejected");
  });

  it("answers 403 transport-rejected without a verified client certificate when one is required", async () => {
    const cfg = baseConfig();
    cfg.sources["open"] = { verify: { scheme: "none", secrets: [] }, require_client_certificate: true };
    const env = envWith(cfg, { DELIVERY_QUEUE: recordingQueue().queue });
    await expectProblem(await call(withCf({ tlsVersion: "TLSv1.3" }), env), 403, "transport-rejected");
    await expectProblem(await call(withCf({ tlsVersion: "TLSv1.3", tlsClientAuth: { certVerified: "NONE", certPresented: "0" } }), env), 403, "transport-rejected");
    await expectProblem(await call(withCf({ tlsVersion: "TLSv1.3", tlsClientAuth: { certVerified: "FAILED:self signed" } }), env), 403, "transport-rejected");
    expect((await call(withCf({ tlsVersion: "TLSv1.3", tlsClientAuth: { certVerified: "SUCCESS", certPresented: "1" } }), env)).status).toBe(202);
  });
});

describe("idempotency conflicts", () => {
  it("answers 409 idempotency-key-reused for the same key with a different body, enqueuing once", async () => {
    const { env, sent } = recordingEnv();
    const key = `k-${crypto.randomUUID()}`;
    expect((await call(await signedRequest("/webhooks/acme", userEvent, { id: key }), env)).status).toBe(202);
    const other = JSON.stringify({ type: "user.created", user_id: "u2" });
    await expectProblem(await call(await signedRequest("/webhooks/acme", other, { id: key }), env), 409, "idempotency-key-reused");
    expect(sent).toHaveLength(1);
  });
});

describe("trace context and async accept", () => {
  it("adopts the trace id of an incoming W3C traceparent everywhere: header, body and envelope", async () => {
    const { env, sent } = recordingEnv();
    const req = await signedRequest("/webhooks/acme", userEvent, { headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } });
    const res = await call(req, env);
    expect(res.headers.get("X-Trace-Id")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(((await res.json()) as { trace_id: string }).trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect((sent[0] as Envelope).trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("starts a fresh trace when the traceparent is malformed, and on problems too", async () => {
    const res = await call(post("/webhooks/nobody", "{}", { traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }), envWith(baseConfig()));
    const body = await expectProblem(res, 404, "unknown-source");
    expect(body.trace_id).not.toBe("00000000000000000000000000000000");
  });

  it("answers 202 with id, trace_id, mode and status, and queues an envelope with the exact body bytes", async () => {
    const { env, sent, puts } = recordingEnv();
    const bytes = new Uint8Array([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x75, 0x2e, 0x78, 0x22, 0x7d, 0x00, 0xff, 0xfe, 0x0a]);
    const res = await call(await signedRequest("/webhooks/acme/user.created", bytes, { headers: { "Content-Type": "application/octet-stream" } }), env);
    expect(res.status).toBe(202);
    const traceId = expectStamped(res);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toEqual({ id: expect.stringMatching(/^msg_[0-9A-Z]{26}$/), trace_id: traceId, mode: "async", status: "queued", destinations: ["profiles"] });
    expect(res.headers.get("X-Message-Id")).toBe(body["id"]);
    expect(sent).toHaveLength(1);
    const envelope = sent[0] as Envelope;
    expect(envelope).toMatchObject({
      v: 1,
      id: body["id"],
      trace_id: traceId,
      source: "acme",
      event_type: "user.created",
      route: "user.*",
      endpoint: "profiles",
      content_type: "application/octet-stream",
      attempt: 0,
    });
    expect(envelope.body.kind).toBe("inline");
    if (envelope.body.kind === "inline") expect([...envelope.body.bytes]).toEqual([...bytes]);
    expect(puts).toHaveLength(0);
  });

  it("claim-checks a 2 MiB non-UTF-8 body in R2 and the reference reproduces it byte for byte", async () => {
    const { env, sent, puts } = recordingEnv();
    const bytes = new Uint8Array(2 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    const res = await call(await signedRequest("/webhooks/acme/user.created", bytes), env);
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { id: string }).id;
    const envelope = sent[0] as Envelope;
    expect(envelope.id).toBe(id);
    if (envelope.body.kind !== "r2") throw new Error(`expected an R2 reference, got ${envelope.body.kind}`);
    expect(envelope.body.size).toBe(bytes.byteLength);
    expect(puts).toEqual([envelope.body.key]);
    const object = await testEnv.PAYLOADS.get(envelope.body.key);
    const stored = new Uint8Array(await (object ?? new Response(null)).arrayBuffer());
    expect(stored.byteLength).toBe(bytes.byteLength);
    expect(stored.every((b, i) => b === bytes[i])).toBe(true);
  });
});
