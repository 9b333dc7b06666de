// End to end, keep-alive after early answers: on one kept-alive socket to the real gateway under
// wrangler dev, every kind of early answer (405, 404, 401, 403, 413, 429, 400, 503, refused console
// and admin requests), each followed by a normal request, 20 rounds; every request answered in time.
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsumer, type Consumer } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { producerHeaders } from "../../src/core/signatures/sign";

const SOURCE_SECRET = "whsec_a2VlcC1hbGl2ZS1zb3VyY2Utc2VjcmV0LWUyZQ==";
const WRONG_SECRET = "whsec_d3Jvbmctc2VjcmV0LWZvci1rZWVwLWFsaXZl";
const ADMIN_TOKEN = "keepalive-e2e-admin-token-0123456789";
const MAX_BODY_BYTES = 4096;
const ROUNDS = 20;
/** Each request must be answered within this bound; a request past it counts as a hang. */
const BOUND_MS = 5_000;
/** A broken run stops early instead of waiting out every hang. */
const MAX_HANGS = 10;

let consumer: Consumer;
let gateway: Gateway;
let agent: Agent;
const sockets = new Set<Socket>();
let reused = 0;

interface Probe {
  name: string;
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  /** Sent with Content-Length, or chunk by chunk (Transfer-Encoding: chunked) when an array. */
  body?: Buffer | Buffer[];
  status: number;
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request on the shared agent; rejects with "hang" past the bound (the socket is destroyed). */
function send(p: Probe): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: gateway.port, method: p.method, path: p.path, headers: p.headers, agent });
    const timer = setTimeout(() => {
      req.destroy(new Error("hang"));
    }, BOUND_MS);
    req.on("socket", (socket) => {
      if (req.reusedSocket) reused += 1;
      sockets.add(socket);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started });
      });
    });
    if (Array.isArray(p.body)) {
      for (const chunk of p.body) req.write(chunk);
      req.end();
    } else req.end(p.body);
  });
}

async function signed(body: Buffer, secret = SOURCE_SECRET): Promise<OutgoingHttpHeaders> {
  const id = `evt_${randomUUID()}`;
  const timestampS = Math.floor(Date.now() / 1000);
  const headers = await producerHeaders("standard-webhooks", { secret, body, timestampS, id });
  return { "Content-Type": "application/json", "Content-Length": body.byteLength, ...headers };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const form = Buffer.from("token=not-the-token&_csrf=x");

/** Every early-answer kind, built fresh each round (signatures carry a timestamp and a fresh id). */
async function earlyAnswers(round: number): Promise<Probe[]> {
  const small = json({ type: "user.created", round });
  const oversized = Buffer.alloc(MAX_BODY_BYTES * 2, 0x61);
  const chunk = Buffer.alloc(1024, 0x62);
  return [
    { name: "405 PUT", method: "PUT", path: "/webhooks/acme/user.created", headers: { "Content-Type": "application/json" }, body: small, status: 405 },
    { name: "405 PATCH", method: "PATCH", path: "/webhooks/acme/user.created", headers: { "Content-Type": "application/json" }, body: small, status: 405 },
    { name: "404 unknown source", method: "POST", path: "/webhooks/nobody/user.created", headers: { "Content-Type": "application/json" }, body: small, status: 404 },
    { name: "404 no route", method: "POST", path: "/nowhere", headers: { "Content-Type": "application/json" }, body: small, status: 404 },
    { name: "401 bad signature", method: "POST", path: "/webhooks/acme/user.created", headers: await signed(small, WRONG_SECRET), body: small, status: 401 },
    { name: "413 declared", method: "POST", path: "/webhooks/acme/user.created", headers: await signed(oversized), body: oversized, status: 413 },
    {
      name: "413 chunked",
      method: "POST",
      path: "/webhooks/acme/user.created",
      headers: { "Content-Type": "application/json" },
      body: Array.from({ length: 12 }, () => chunk),
      status: 413,
    },
    { name: "429 source rate limit", method: "POST", path: "/webhooks/limited/user.created", headers: await signed(small), body: small, status: 429 },
    { name: "400 sync without key", method: "POST", path: "/webhooks/open/payment.authorize", headers: { "Content-Type": "application/json" }, body: small, status: 400 },
    {
      name: "503 circuit open",
      method: "POST",
      path: "/webhooks/open/down.call",
      headers: { "Content-Type": "application/json", "X-Idempotency-Key": randomUUID() },
      body: small,
      status: 503,
    },
    {
      name: "403 console cross-origin form",
      method: "POST",
      path: "/admin/ui/login",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://elsewhere.example" },
      body: form,
      status: 403,
    },
    { name: "400 console not a form", method: "POST", path: "/admin/ui/login", headers: { "Content-Type": "text/plain", Origin: gateway.url }, body: form, status: 400 },
    { name: "401 admin without token", method: "POST", path: "/admin/dlq/replay", headers: { "Content-Type": "application/json" }, body: json({ all: true }), status: 401 },
  ];
}

const health: Probe = { name: "GET /health", method: "GET", path: "/health", status: 200 };

beforeAll(async () => {
  consumer = await startConsumer({ behaviour: { paths: { "/down": { status: 503 } } } });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      max_body_bytes: MAX_BODY_BYTES,
      sources: {
        acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 } },
        limited: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, rate_limit: { requests: 1, period_s: 86_400 } },
        open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } },
      },
      endpoints: {
        sink: { url: `${consumer.url}/sink` },
        down: { url: `${consumer.url}/down`, circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 600_000 } },
      },
      routing_rules: [
        { event_type: "user.*", mode: "async", endpoint: "sink" },
        { event_type: "payment.*", mode: "sync", endpoint: "sink" },
        { event_type: "down.*", mode: "sync", endpoint: "down", timeout_ms: 2_000 },
      ],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET, ADMIN_TOKEN },
  });
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  // Spend the limited source's one token, and open the breaker of the `down` endpoint.
  const small = json({ type: "user.created" });
  expect((await send({ name: "spend", method: "POST", path: "/webhooks/limited/user.created", headers: await signed(small), body: small, status: 202 })).status).toBe(202);
  for (let i = 0; i < 5; i++) {
    const answer = await send({
      name: "trip",
      method: "POST",
      path: "/webhooks/open/down.call",
      headers: { "Content-Type": "application/json", "X-Idempotency-Key": randomUUID() },
      body: small,
      status: 503,
    });
    if (answer.body.includes("circuit-open")) break;
  }
});

afterAll(async () => {
  agent?.destroy();
  await gateway?.stop();
  await consumer?.close();
});

describe("keep-alive after early answers", () => {
  it("answers every early answer and the request after it on one kept-alive socket, 20 rounds", { timeout: 240_000 }, async () => {
    const hangs: string[] = [];
    const wrong: string[] = [];
    let requests = 0;
    let slowest = 0;
    const started = Date.now();
    const run = async (p: Probe, after: string) => {
      requests += 1;
      try {
        const answer = await send(p);
        slowest = Math.max(slowest, answer.ms);
        if (answer.status !== p.status) wrong.push(`${p.name} after ${after}: ${answer.status} ${answer.body.slice(0, 120)}`);
      } catch (error) {
        hangs.push(`${p.name} after ${after}: ${(error as Error).message}`);
      }
    };
    rounds: for (let round = 0; round < ROUNDS; round++) {
      for (const early of await earlyAnswers(round)) {
        await run(early, "previous");
        await run(health, early.name);
        if (hangs.length >= MAX_HANGS) break rounds;
      }
      const body = json({ type: "user.created", round });
      await run({ name: "signed POST", method: "POST", path: "/webhooks/acme/user.created", headers: await signed(body), body, status: 202 }, "the round");
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`keep-alive: ${requests} requests in ${seconds} s, ${hangs.length} hang(s), ${sockets.size} socket(s), ${reused} reused, slowest answer ${slowest} ms`);
    expect(hangs).toEqual([]);
    expect(wrong).toEqual([]);
    expect(sockets.size).toBe(1); // every request went over the one kept-alive socket
  });
});
