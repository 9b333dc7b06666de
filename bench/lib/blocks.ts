// The benchmark's blocks: what each one sends, where, how (saturation or fixed rate), and the
// answer it expects. A block is measured as one run; `run.ts` repeats them in alternating rounds.
import type { LoadSpec } from "./load";
import { forgedHeaders, freshKeys, jsonBody, KB, MB, orderBody, signedSupply } from "./fixtures";

export type BlockId =
  | "floor_1k"
  | "floor_send_1k"
  | "floor_claim_send_1k"
  | "floor_claim_send_complete_1k"
  | "async_1k"
  | "fanout5_1k"
  | "async_1k_open_key"
  | "async_1k_open"
  | "reject_1k"
  | "schema_1k"
  | "noschema_1k"
  | "schema_reject_1k"
  | "floor_1m"
  | "floor_put_1m"
  | "async_1m"
  | "reject_1m"
  | "sync_max"
  | "sync_rate"
  | "floor_relay_rate"
  | "direct_rate"
  /** The same gateway block against the baseline build (BENCH_BASELINE), for a paired before/after. */
  | `base_${string}`;

export interface Block {
  id: BlockId;
  title: string;
  bytes: number;
  mode: "saturate" | "rate";
  connections: number;
  /** Builds the request spec just before the run; `expected` sizes the presigned pool. */
  spec(expected: number): LoadSpec | Promise<LoadSpec>;
}

export interface Targets {
  gatewayUrl: string;
  floorUrl: string;
  upstreamUrl: string;
  secret: string;
  /** The baseline gateway (BENCH_BASELINE): every gateway block gets a `base_` twin sent there. */
  baselineUrl?: string;
}

const JSON_CT = { "Content-Type": "application/json" };

export function blocks(t: Targets): Block[] {
  const list = ownBlocks(t);
  const baselineUrl = t.baselineUrl;
  if (baselineUrl === undefined) return list;
  const twins = list
    .filter((b) => b.id !== "sync_max" && !b.id.startsWith("floor") && b.id !== "direct_rate")
    .map((b): Block => ({
      ...b,
      id: `base_${b.id}`,
      title: `baseline build: ${b.title}`,
      spec: async (n) => {
        const spec = await b.spec(n);
        return { ...spec, url: spec.url.replace(t.gatewayUrl, baselineUrl) };
      },
    }));
  return [...list, ...twins];
}

function ownBlocks(t: Targets): Block[] {
  const user1k = jsonBody("user.created", KB);
  const user1m = jsonBody("user.created", MB);
  const pay1k = jsonBody("payment.authorize", KB);
  const order1k = orderBody(KB);
  // The same size, one field of the wrong type: refused 422 schema-violation (and counted).
  const badOrder1k = Buffer.from(order1k.toString("utf8").replace('"field_01":1001', '"field_01":"10"'), "utf8");
  const asyncHeaders = { ...JSON_CT, "X-Event-Type": "user.created" };
  const fanout1k = jsonBody("fanout.created", KB);
  const fanoutHeaders = { ...JSON_CT, "X-Event-Type": "fanout.created" };
  const signed = (body: Buffer, expected: number) => signedSupply(t.secret, body, expected);
  /** A saturation block of signed 1 KB order events (the event-schema blocks differ only in these). */
  const orderBlock = (id: BlockId, title: string, body: Buffer, eventType: string, expectStatus: number): Block => ({
    id,
    title,
    bytes: KB,
    mode: "saturate",
    connections: 16,
    spec: async (n) => ({ url: `${t.gatewayUrl}/webhooks/bench`, body, headers: { ...JSON_CT, "X-Event-Type": eventType }, next: await signed(body, n), expectStatus }),
  });
  return [
    {
      id: "floor_1k",
      title: "floor: bare Hono Worker, 202 to a 1 KB POST",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.floorUrl}/`, body: user1k, headers: asyncHeaders, expectStatus: 202 }),
    },
    {
      id: "floor_send_1k",
      title: "platform floor: + one queue send",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.floorUrl}/send`, body: user1k, headers: asyncHeaders, expectStatus: 202 }),
    },
    {
      id: "floor_claim_send_1k",
      title: "platform floor: + dedup claim (1 of 64 DOs, one SQLite insert) + queue send",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.floorUrl}/claim-send`, body: user1k, headers: asyncHeaders, next: freshKeys(), expectStatus: 202 }),
    },
    {
      id: "floor_claim_send_complete_1k",
      title: "platform floor: dedup claim + queue send + a second call storing the answer (claim → send → complete)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.floorUrl}/claim-send-complete`, body: user1k, headers: asyncHeaders, next: freshKeys(), expectStatus: 202 }),
    },
    {
      id: "async_1k",
      title: "async accept, signed 1 KB (verify + route + dedup + enqueue)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: async (n) => ({ url: `${t.gatewayUrl}/webhooks/bench`, body: user1k, headers: asyncHeaders, next: await signed(user1k, n), expectStatus: 202 }),
    },
    {
      id: "fanout5_1k",
      title: "async accept, signed 1 KB to 5 destinations (one queue batch of 5 copies)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: async (n) => ({ url: `${t.gatewayUrl}/webhooks/bench`, body: fanout1k, headers: fanoutHeaders, next: await signed(fanout1k, n), expectStatus: 202 }),
    },
    {
      id: "async_1k_open_key",
      title: "async accept, unsigned 1 KB with idempotency key (route + dedup + enqueue)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.gatewayUrl}/webhooks/open`, body: user1k, headers: asyncHeaders, next: freshKeys(), expectStatus: 202 }),
    },
    {
      id: "async_1k_open",
      title: "async accept, unsigned 1 KB without key (route + enqueue, no dedup)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.gatewayUrl}/webhooks/open`, body: user1k, headers: asyncHeaders, expectStatus: 202 }),
    },
    {
      id: "reject_1k",
      title: "1 KB with a wrong signature (full HMAC, 401)",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: () => ({ url: `${t.gatewayUrl}/webhooks/bench`, body: user1k, headers: asyncHeaders, next: forgedHeaders(), expectStatus: 401 }),
    },
    orderBlock("schema_1k", "async accept, signed 1 KB validated against a 30-property schema", order1k, "order.checked", 202),
    orderBlock("noschema_1k", "async accept, the same signed 1 KB event on a route without a schema", order1k, "order.plained", 202),
    orderBlock("schema_reject_1k", "the same signed 1 KB event failing the schema (422, counted per route)", badOrder1k, "order.checked", 422),
    {
      id: "floor_1m",
      title: "floor: bare Hono Worker, 202 to a 1 MB POST",
      bytes: MB,
      mode: "saturate",
      connections: 4,
      spec: () => ({ url: `${t.floorUrl}/`, body: user1m, headers: asyncHeaders, expectStatus: 202 }),
    },
    {
      id: "floor_put_1m",
      title: "platform floor: 1 MB put in R2 + queue send of the reference",
      bytes: MB,
      mode: "saturate",
      connections: 4,
      spec: () => ({ url: `${t.floorUrl}/put`, body: user1m, headers: asyncHeaders, expectStatus: 202 }),
    },
    {
      id: "async_1m",
      title: "async accept, signed 1 MB (+ R2 claim check)",
      bytes: MB,
      mode: "saturate",
      connections: 4,
      spec: async (n) => ({ url: `${t.gatewayUrl}/webhooks/bench`, body: user1m, headers: asyncHeaders, next: await signed(user1m, n), expectStatus: 202 }),
    },
    {
      id: "reject_1m",
      title: "1 MB with a wrong signature (read + full HMAC, 401)",
      bytes: MB,
      mode: "saturate",
      connections: 4,
      spec: () => ({ url: `${t.gatewayUrl}/webhooks/bench`, body: user1m, headers: asyncHeaders, next: forgedHeaders(), expectStatus: 401 }),
    },
    {
      id: "sync_max",
      title: "sync pass-through, signed 1 KB, saturation",
      bytes: KB,
      mode: "saturate",
      connections: 16,
      spec: async (n) => ({
        url: `${t.gatewayUrl}/webhooks/bench`,
        body: pay1k,
        headers: { ...JSON_CT, "X-Event-Type": "payment.authorize" },
        next: await signed(pay1k, n),
        expectStatus: 200,
      }),
    },
    {
      id: "sync_rate",
      title: "sync pass-through at half the sync maximum",
      bytes: KB,
      mode: "rate",
      connections: 0,
      spec: async (n) => ({
        url: `${t.gatewayUrl}/webhooks/bench`,
        body: pay1k,
        headers: { ...JSON_CT, "X-Event-Type": "payment.authorize" },
        next: await signed(pay1k, n),
        expectStatus: 200,
      }),
    },
    {
      id: "floor_relay_rate",
      title: "platform floor: dedup claim + the same upstream call, same rate",
      bytes: KB,
      mode: "rate",
      connections: 0,
      spec: async (n) => ({ url: `${t.floorUrl}/relay`, body: pay1k, headers: JSON_CT, next: await signed(pay1k, n), expectStatus: 200 }),
    },
    {
      id: "direct_rate",
      title: "the upstream called directly, same rate",
      bytes: KB,
      mode: "rate",
      connections: 0,
      spec: async (n) => ({ url: `${t.upstreamUrl}/authorize`, body: pay1k, headers: JSON_CT, next: await signed(pay1k, n), expectStatus: 200 }),
    },
  ];
}
