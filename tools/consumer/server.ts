// A real webhook consumer on 127.0.0.1 for end-to-end tests and the demo: records every request
// (headers, raw bytes, arrival time), answers by a programmable behaviour, checks Standard Webhooks signatures.
// CLI: `node --import tsx tools/consumer/server.ts --port 8788 --secret whsec_...` prints one line per delivery.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  receivedAt: number;
  webhookId: string | null;
  /** `X-Retry-Attempt` as a number, null when absent or not a number. */
  attempt: number | null;
  /** The status this server answered with. */
  status: number;
  /** null when no signing secret was given to the server. */
  signatureValid: boolean | null;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Behaviour {
  /** Status of a successful answer (default 200). */
  status?: number;
  /** Extra response headers (e.g. `Location` with a 302). */
  headers?: Record<string, string>;
  /** Wait before answering. */
  delayMs?: number;
  /**
   * Share (0..1) of attempts answered with `failStatus`. Each draw comes from a mulberry32 PRNG seeded
   * with (seed, idempotency key or webhook-id, attempt), so the same attempt of the same event always
   * gets the same answer, whatever order requests arrive in: runs are reproducible.
   */
  failRate?: number;
  /** Seed of the draws behind `failRate` (default 1). */
  seed?: number;
  /** Status of a failed attempt (default 503). */
  failStatus?: number;
  /** webhook-ids that always get `failStatus`. */
  alwaysFail?: Iterable<string>;
  /** `X-Idempotency-Key` values that always get `failStatus` (known before the gateway assigns ids). */
  alwaysFailKeys?: Iterable<string>;
  /** Fail the first N arrivals of each webhook-id, then answer `status`. */
  failFirst?: number;
  /** Behaviour for requests whose path starts with the key (longest key wins); replaces the top-level one. */
  paths?: Record<string, Behaviour>;
  /** Full control: decides the reply; returns undefined to fall through to the rules above. */
  respond?: (request: RecordedRequest, arrival: number) => Reply | undefined;
}

export interface ConsumerOptions {
  port?: number;
  host?: string;
  behaviour?: Behaviour;
  /** A Standard Webhooks secret (`whsec_...`): every request is checked and `signatureValid` recorded. */
  signingSecret?: string;
  /** Called after each request has been answered. */
  onRequest?: (request: RecordedRequest) => void;
  /** Keep every request in `requests` (default true; a long soak counts in `onRequest` instead). */
  keep?: boolean;
}

export interface Consumer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replaces the behaviour (and resets the per-id arrival counters). */
  setBehaviour(behaviour: Behaviour): void;
  /** Requests that carried this webhook-id, in arrival order. */
  byId(webhookId: string): RecordedRequest[];
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, so a "random 30 %" run is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits: folds a string into a PRNG seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The reproducible draw in [0, 1) for one attempt of one event. */
export function drawFor(seed: number, key: string, attempt: number): number {
  return mulberry32(hash32(`${seed}:${key}:${attempt}`))();
}

/**
 * Standard Webhooks check with node:crypto: some `v1,<base64>` entry of `webhook-signature` equals
 * HMAC-SHA256(base64-decoded secret after `whsec_`, `{id}.{timestamp}.{body}`). No timestamp tolerance.
 */
export function verifyStandardWebhookSignature(secret: string, headers: Record<string, string>, body: Uint8Array): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signature = headers["webhook-signature"];
  if (id === undefined || timestamp === undefined || signature === undefined) return false;
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  return signature.split(" ").some((entry) => {
    const [version, mac] = entry.split(",", 2);
    if (version !== "v1" || mac === undefined) return false;
    const given = Buffer.from(mac, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Compiled {
  behaviour: Behaviour;
  alwaysFail: ReadonlySet<string>;
  alwaysFailKeys: ReadonlySet<string>;
  paths: [string, Compiled][];
}

function compile(behaviour: Behaviour): Compiled {
  const paths = Object.entries(behaviour.paths ?? {})
    .sort(([a], [b]) => b.length - a.length)
    .map(([prefix, b]): [string, Compiled] => [prefix, compile(b)]);
  return { behaviour, alwaysFail: new Set(behaviour.alwaysFail ?? []), alwaysFailKeys: new Set(behaviour.alwaysFailKeys ?? []), paths };
}

function pick(compiled: Compiled, path: string): Compiled {
  for (const [prefix, inner] of compiled.paths) if (path.startsWith(prefix)) return pick(inner, path);
  return compiled;
}

function decide(c: Compiled, request: RecordedRequest, arrival: number): Reply {
  const b = c.behaviour;
  const custom = b.respond?.(request, arrival);
  if (custom !== undefined) return custom;
  const failStatus = b.failStatus ?? 503;
  const id = request.webhookId ?? "";
  const key = request.headers["x-idempotency-key"] ?? id;
  if (c.alwaysFail.has(id) || c.alwaysFailKeys.has(key)) return { status: failStatus, body: "always failing" };
  if (b.failFirst !== undefined && arrival <= b.failFirst) return { status: failStatus, body: `failing arrival ${arrival}` };
  if (b.failRate !== undefined && drawFor(b.seed ?? 1, key, request.attempt ?? arrival) < b.failRate) {
    return { status: failStatus, body: "random failure" };
  }
  return { status: b.status ?? 200, headers: b.headers ?? {}, body: "ok" };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function startConsumer(options: ConsumerOptions = {}): Promise<Consumer> {
  const host = options.host ?? "127.0.0.1";
  const requests: RecordedRequest[] = [];
  const arrivals = new Map<string, number>();
  let compiled = compile(options.behaviour ?? {});
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const headers = flatHeaders(req);
    const webhookId = headers["webhook-id"] ?? null;
    const attemptHeader = Number(headers["x-retry-attempt"]);
    const path = req.url ?? "/";
    const recorded: RecordedRequest = {
      seq: ++seq,
      method: req.method ?? "",
      path,
      headers,
      body,
      receivedAt: Date.now(),
      webhookId,
      attempt: Number.isInteger(attemptHeader) ? attemptHeader : null,
      status: 0,
      signatureValid: options.signingSecret === undefined ? null : verifyStandardWebhookSignature(options.signingSecret, headers, body),
    };
    if (options.keep !== false) requests.push(recorded);
    const arrivalKey = `${path}\u0000${webhookId ?? ""}`;
    const arrival = (arrivals.get(arrivalKey) ?? 0) + 1;
    arrivals.set(arrivalKey, arrival);
    const target = pick(compiled, path);
    const reply = decide(target, recorded, arrival);
    recorded.status = reply.status;
    const delayMs = target.behaviour.delayMs ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (!res.destroyed) {
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.body ?? "");
    }
    options.onRequest?.(recorded);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    setBehaviour(behaviour) {
      compiled = compile(behaviour);
      arrivals.clear();
    },
    byId: (id) => requests.filter((r) => r.webhookId === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function describe(r: RecordedRequest): string {
  const h = r.headers;
  const sig = r.signatureValid === null ? "-" : r.signatureValid ? "ok" : "BAD";
  return [
    new Date(r.receivedAt).toISOString(),
    `${r.method} ${r.path}`,
    `-> ${r.status}`,
    `id=${r.webhookId ?? "-"}`,
    `attempt=${h["x-retry-attempt"] ?? "-"}`,
    `mode=${h["x-callback-mode"] ?? "-"}`,
    `type=${h["x-event-type"] ?? "-"}`,
    `trace=${h["x-trace-id"] ?? "-"}`,
    `sig=${sig}`,
    `bytes=${r.body.byteLength}`,
  ].join(" ");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8788" },
      host: { type: "string", default: "127.0.0.1" },
      secret: { type: "string" },
      status: { type: "string" },
      "fail-rate": { type: "string" },
      seed: { type: "string" },
      "delay-ms": { type: "string" },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const behaviour: Behaviour = {};
  const status = num(values.status);
  const failRate = num(values["fail-rate"]);
  const seed = num(values.seed);
  const delayMs = num(values["delay-ms"]);
  if (status !== undefined) behaviour.status = status;
  if (failRate !== undefined) behaviour.failRate = failRate;
  if (seed !== undefined) behaviour.seed = seed;
  if (delayMs !== undefined) behaviour.delayMs = delayMs;
  const options: ConsumerOptions = {
    port: Number(values.port),
    host: values.host,
    behaviour,
    onRequest: (r) => console.log(describe(r)),
  };
  if (values.secret !== undefined) options.signingSecret = values.secret;
  const consumer = await startConsumer(options);
  console.log(`consumer listening on ${consumer.url}${values.secret === undefined ? "" : " (checking signatures)"}`);
  const stop = () => void consumer.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
