// Secret rotation, inbound and outbound (docs/security.md "Rotating secrets"). Inbound: each stage of
// a source's `secrets` list accepts exactly the signatures it should, for all six schemes; a listed
// binding that no longer exists is skipped and logged, never failing the source. Outbound: each stage
// of an endpoint's `signing_secrets` signs deliveries so that consumers on either secret can verify.
import { describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import { verifyStandardWebhooks } from "../../src/core/signatures";
import { baseConfig, bindingFor, call, captureLogsPerTest, envWith, recordingQueue, schemeRequest, secretFor, SIGNED_SCHEMES, type SignedScheme } from "./helpers";

const captured = captureLogsPerTest();

let n = 0;

interface Stage {
  name: string;
  /** The source's `verify.secrets` (binding names). */
  secrets: string[];
  /** Which of the bindings exist in the Worker's environment. */
  bound: ("OLD" | "NEW")[];
  old: 202 | 401;
  new: 202 | 401;
  /** Binding names logged as `secret_binding_missing`. */
  missing: string[];
}

const STAGES: readonly Stage[] = [
  { name: "old only (before the rotation)", secrets: ["ROT_OLD"], bound: ["OLD"], old: 202, new: 401, missing: [] },
  { name: "old and new listed, both bound (producers switch over)", secrets: ["ROT_OLD", "ROT_NEW"], bound: ["OLD", "NEW"], old: 202, new: 202, missing: [] },
  { name: "new first, old second, both bound (either order works)", secrets: ["ROT_NEW", "ROT_OLD"], bound: ["OLD", "NEW"], old: 202, new: 202, missing: [] },
  { name: "both listed after the old binding was deleted", secrets: ["ROT_OLD", "ROT_NEW"], bound: ["NEW"], old: 401, new: 202, missing: ["ROT_OLD"] },
  { name: "new only (rotation finished)", secrets: ["ROT_NEW"], bound: ["NEW"], old: 401, new: 202, missing: [] },
];

function sourceEnv(scheme: SignedScheme, stage: Pick<Stage, "secrets" | "bound">): { env: Env; sent: unknown[] } {
  const q = recordingQueue();
  const config = baseConfig({
    sources: { rotating: { verify: { scheme, secrets: stage.secrets, tolerance_s: 300 } } },
    routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "profiles" }],
  });
  const bindings: Record<string, string> = {};
  if (stage.bound.includes("OLD")) bindings["ROT_OLD"] = bindingFor(scheme, 1);
  if (stage.bound.includes("NEW")) bindings["ROT_NEW"] = bindingFor(scheme, 2);
  return { env: envWith(config, { DELIVERY_QUEUE: q.queue, ...bindings }), sent: q.sent };
}

async function signedWith(scheme: SignedScheme, secret: string): Promise<Request> {
  const raw = new TextEncoder().encode(JSON.stringify({ type: "user.created", n: ++n, at: Date.now() }));
  const url = "https://gateway.test/webhooks/rotating/user.created";
  const { headers, body } = await schemeRequest(scheme, secret, raw, { url });
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

const missingLogged = () => captured.lines.map((l) => JSON.parse(l) as { event: string; binding?: string; source?: string }).filter((l) => l.event === "secret_binding_missing");

describe.each(SIGNED_SCHEMES)("inbound rotation, scheme %s", (scheme) => {
  const OLD = secretFor(scheme, 1);
  const NEW = secretFor(scheme, 2);

  it.each(STAGES.map((s) => [s.name, s] as const))("stage %s: old and new signatures get what the stage says", async (_name, stage) => {
    const { env, sent } = sourceEnv(scheme, stage);
    const oldRes = await call(await signedWith(scheme, OLD), env);
    const newRes = await call(await signedWith(scheme, NEW), env);
    expect([oldRes.status, newRes.status]).toEqual([stage.old, stage.new]);
    expect(sent).toHaveLength([stage.old, stage.new].filter((s) => s === 202).length);
    const missing = missingLogged();
    expect([...new Set(missing.map((l) => l.binding))]).toEqual(stage.missing);
    for (const line of missing) expect(line.source).toBe("rotating");
    for (const line of captured.lines) {
      expect(line).not.toContain(OLD);
      expect(line).not.toContain(NEW);
    }
  });

  it("answers 401 (never a 500) when every listed binding is missing, and captured.lines each one", async () => {
    const { env, sent } = sourceEnv(scheme, { secrets: ["ROT_GONE_1", "ROT_GONE_2"], bound: ["OLD", "NEW"] });
    for (const secret of [OLD, NEW]) expect((await call(await signedWith(scheme, secret), env)).status).toBe(401);
    expect(sent).toHaveLength(0);
    expect(new Set(missingLogged().map((l) => l.binding))).toEqual(new Set(["ROT_GONE_1", "ROT_GONE_2"]));
  });
});

// ---- Outbound: the endpoint's signing_secrets, as a consumer verifies them.

const OUT_OLD = "whsec_b3V0Ym91bmQtb2xkLXNpZ25pbmctc2VjcmV0LTEyMzQ1Njc4";
const OUT_NEW = "whsec_b3V0Ym91bmQtbmV3LXNpZ25pbmctc2VjcmV0LTg3NjU0MzIx";
const ENDPOINT_URL = "https://consumer.example.com/hooks";
const enc = new TextEncoder();

/** A consumer's own Standard Webhooks check of one `v1,<base64>` entry (independent of src/). */
async function entryVerifies(entry: string, secret: string, id: string, timestamp: string, body: Uint8Array): Promise<boolean> {
  const [version, mac] = entry.split(",");
  if (version !== "v1" || mac === undefined) return false;
  const keyBytes = Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const signed = new Uint8Array([...enc.encode(`${id}.${timestamp}.`), ...body]);
  const macBytes = Uint8Array.from(atob(mac), (c) => c.charCodeAt(0));
  return crypto.subtle.verify("HMAC", key, macBytes, signed);
}

interface Delivery {
  headers: Headers;
  body: Uint8Array;
}

async function deliverOnce(signingSecrets: string[], bindings: Record<string, string>): Promise<Delivery> {
  const deliveries: Delivery[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    deliveries.push({ headers: request.headers, body: new Uint8Array(await request.arrayBuffer()) });
    return new Response(null, { status: 204 });
  });
  const endpoint = `consumer-${++n}`;
  const env = envWith(
    baseConfig({
      allow_private_networks: false,
      endpoints: { [endpoint]: { url: ENDPOINT_URL, signing_secrets: signingSecrets } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint }],
    }),
    bindings,
  );
  const envelope: Envelope = {
    v: 1,
    id: `msg_ROTATION${String(n).padStart(18, "0")}`,
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    parent_span_id: "00f067aa0ba902b7",
    source: "acme",
    event_type: "user.created",
    route: "user.*",
    endpoint,
    queue: "DELIVERY_QUEUE",
    idempotency_key: null,
    content_type: "application/json",
    headers: [],
    body: { kind: "inline", bytes: enc.encode(`{"type":"user.created","n":${n}}`) },
    received_at: Date.now(),
    attempt: 0,
    policy: { matrix: [0], max_attempts: 2 },
    last_status: null,
    last_error: null,
    fallback: null,
    replay_count: 0,
    ordering: null,
  };
  const batch = createMessageBatch("hookgate-delivery", [{ id: `qm-rot-${n}`, timestamp: new Date(), attempts: 1, body: envelope }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([`qm-rot-${n}`]);
  expect(deliveries).toHaveLength(1);
  const [delivery] = deliveries;
  if (delivery === undefined) throw new Error("no delivery");
  return delivery;
}

/** For each entry of webhook-signature: which of OUT_OLD / OUT_NEW it verifies under. */
async function entriesOf(d: Delivery): Promise<{ raw: string; entries: { old: boolean; new: boolean }[]; srcVerifies: { old: boolean; new: boolean } }> {
  const id = d.headers.get("webhook-id") ?? "";
  const timestamp = d.headers.get("webhook-timestamp") ?? "";
  const raw = d.headers.get("webhook-signature") ?? "";
  const entries = await Promise.all(
    raw.split(" ").map(async (entry) => ({
      old: await entryVerifies(entry, OUT_OLD, id, timestamp, d.body),
      new: await entryVerifies(entry, OUT_NEW, id, timestamp, d.body),
    })),
  );
  const consumer = async (secret: string) => (await verifyStandardWebhooks({ headers: d.headers, body: d.body, secrets: [secret], toleranceS: 300, nowMs: Date.now() })).ok;
  return { raw, entries, srcVerifies: { old: await consumer(OUT_OLD), new: await consumer(OUT_NEW) } };
}

describe("outbound rotation of an endpoint's signing_secrets", () => {
  const both = { OUT_OLD_SECRET: OUT_OLD, OUT_NEW_SECRET: OUT_NEW };

  it("[OLD] signs with one v1 signature that verifies with the old secret only", async () => {
    const s = await entriesOf(await deliverOnce(["OUT_OLD_SECRET"], both));
    expect(s.raw).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(s.entries).toEqual([{ old: true, new: false }]);
    expect(s.srcVerifies).toEqual({ old: true, new: false });
  });

  it("[OLD, NEW] signs with two space-separated v1 signatures, one per secret, so consumers on either verify", async () => {
    const s = await entriesOf(await deliverOnce(["OUT_OLD_SECRET", "OUT_NEW_SECRET"], both));
    expect(s.raw).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(s.entries).toEqual([
      { old: true, new: false },
      { old: false, new: true },
    ]);
    expect(s.srcVerifies).toEqual({ old: true, new: true });
  });

  it("[NEW] signs with one signature that only the new secret verifies; a consumer still on the old one rejects it", async () => {
    const s = await entriesOf(await deliverOnce(["OUT_NEW_SECRET"], both));
    expect(s.entries).toEqual([{ old: false, new: true }]);
    expect(s.srcVerifies).toEqual({ old: false, new: true });
  });

  it("[OLD, NEW] after the old binding was deleted signs with the new secret only", async () => {
    const s = await entriesOf(await deliverOnce(["OUT_OLD_SECRET", "OUT_NEW_SECRET"], { OUT_NEW_SECRET: OUT_NEW }));
    expect(s.entries).toEqual([{ old: false, new: true }]);
  });

  it("never writes a signing secret into a log line", async () => {
    await deliverOnce(["OUT_OLD_SECRET", "OUT_NEW_SECRET"], both);
    expect(captured.lines.length).toBeGreaterThan(0);
    for (const line of captured.lines) {
      expect(line).not.toContain(OUT_OLD);
      expect(line).not.toContain(OUT_NEW);
    }
  });
});
