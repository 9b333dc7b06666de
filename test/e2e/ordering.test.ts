// End to end, ordered routes (docs/contract.md §3): the real gateway under wrangler dev delivers each key's
// events through its OrderedStream object to a real, slow and flaky consumer on 127.0.0.1, one at a
// time and in send order with X-Sequence 1..n; keys run in parallel; `block` holds a key until replay.
// Also measures delivered events per second for one key and for ten keys (printed, not asserted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32, startConsumer, type Consumer, type RecordedRequest } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { mapLimit, waitFor } from "./harness/wait";

const SOURCE_SECRET = "whsec_c291cmNlLXNlY3JldC1mb3ItZTJlLXRlc3RzLW9ubHk=";
const SIGNING_SECRET = "whsec_ZW5kcG9pbnQtc2lnbmluZy1zZWNyZXQtZTJl";
const ADMIN_TOKEN = "e2e-admin-token-for-ordering";
const NO_TRIP = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };

let consumer: Consumer;
let gateway: Gateway;
/** When each consumer request was answered, by its `seq`. */
const answeredAt = new Map<number, number>();
/** While set, the /block endpoint refuses the ledger event with `"n": 2` with a 422. */
let refuseSecond = true;
/** While set, /bench answers after this many ms (holds each key's head while a backlog builds). */
let benchHoldMs = 0;

function config(consumerUrl: string): unknown {
  const endpoint = (path: string) => ({ url: `${consumerUrl}${path}`, signing_secrets: ["ENDPOINT_SIGNING_SECRET"], circuit_breaker: NO_TRIP });
  return {
    allow_private_networks: true,
    sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_field: "type" } },
    endpoints: { ordered: endpoint("/ordered"), blocking: endpoint("/block"), bench: endpoint("/bench") },
    routing_rules: [
      // 9 attempts at ~20 % failures: a dead letter (a gap) has a chance of 0.2^9 per event.
      { event_type: "account.*", mode: "async", endpoint: "ordered", ordering_key: "body:account", retry_matrix: [20, 20, 20, 20, 20, 20, 20, 20] },
      { event_type: "ledger.*", mode: "async", endpoint: "blocking", ordering_key: "header:X-Ledger", on_failure: "block", retry_matrix: [0] },
      { event_type: "bench.*", mode: "async", endpoint: "bench", ordering_key: "body:key" },
    ],
  };
}

beforeAll(async () => {
  const jitter = mulberry32(42);
  consumer = await startConsumer({
    signingSecret: SIGNING_SECRET,
    behaviour: {
      paths: {
        // Answers after a random 0–50 ms (a getter: read once per request) and fails ~20 % of attempts.
        "/ordered": {
          failRate: 0.2,
          seed: 7,
          failStatus: 503,
          get delayMs() {
            return Math.floor(jitter() * 51);
          },
        },
        "/block": { respond: (r) => (refuseSecond && (JSON.parse(r.body.toString("utf8")) as { n?: number }).n === 2 ? { status: 422, body: "refused" } : undefined) },
        "/bench": {
          get delayMs() {
            return benchHoldMs;
          },
        },
      },
    },
    onRequest: (r) => answeredAt.set(r.seq, Date.now()),
  });
  gateway = await startGateway({
    config: config(consumer.url),
    secrets: { ACME_SECRET: SOURCE_SECRET, ENDPOINT_SIGNING_SECRET: SIGNING_SECRET, ADMIN_TOKEN },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

function header(r: RecordedRequest, name: string): string {
  return r.headers[name.toLowerCase()] ?? "";
}

function ofKey(path: string, key: string): RecordedRequest[] {
  return consumer.requests.filter((r) => r.path === path && header(r, "x-ordering-key") === key);
}

function delivered(path: string, key: string): RecordedRequest[] {
  return ofKey(path, key).filter((r) => r.status >= 200 && r.status < 300);
}

/** Some request of one key arrived while a request of another key was still being answered. */
function keysOverlapped(requests: readonly RecordedRequest[]): boolean {
  return requests.some((a) =>
    requests.some((b) => header(a, "x-ordering-key") !== header(b, "x-ordering-key") && b.receivedAt <= a.receivedAt && a.receivedAt < (answeredAt.get(b.seq) ?? 0)),
  );
}

async function send(type: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  return messageIdOf(await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type, ...body }), { secret: SOURCE_SECRET, headers }));
}

describe("ordered delivery through the real gateway", () => {
  it("delivers 3 keys × 30 interleaved events per key in send order with X-Sequence 1..30, no gaps, keys overlapping in time", async () => {
    const keys = ["acct-a", "acct-b", "acct-c"];
    const sent = new Map<string, string[]>(keys.map((k) => [k, []]));
    for (let n = 1; n <= 30; n++) {
      // Each round sends one event of every key at once; a key's next event waits for its 202.
      await Promise.all(keys.map(async (account) => sent.get(account)?.push(await send("account.updated", { account, n }))));
    }
    await waitFor(() => keys.every((k) => delivered("/ordered", k).length >= 30), { timeoutMs: 90_000, intervalMs: 100, what: "30 deliveries per key" });

    for (const key of keys) {
      const got = delivered("/ordered", key);
      expect(got.map((r) => Number(header(r, "x-sequence")))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(got.map((r) => r.webhookId)).toEqual(sent.get(key));
      expect(got.map((r) => (JSON.parse(r.body.toString("utf8")) as { n: number }).n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const all = ofKey("/ordered", key);
      expect(all.every((r) => r.signatureValid === true)).toBe(true);
      // One at a time: each request of a key arrives only after the previous one was answered,
      // and a failed attempt is retried (same sequence, next X-Retry-Attempt) before anything later.
      for (let i = 1; i < all.length; i++) {
        const prev = all[i - 1];
        const cur = all[i];
        if (prev === undefined || cur === undefined) continue;
        expect(cur.receivedAt).toBeGreaterThanOrEqual(answeredAt.get(prev.seq) ?? Infinity);
        const step = Number(header(cur, "x-sequence")) - Number(header(prev, "x-sequence"));
        expect(step).toBe(prev.status >= 500 ? 0 : 1);
        if (step === 0) expect(cur.attempt).toBe((prev.attempt ?? 0) + 1);
      }
    }
    const failures = consumer.requests.filter((r) => r.path === "/ordered" && r.status === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(keysOverlapped(consumer.requests.filter((r) => r.path === "/ordered"))).toBe(true);
    expect(gateway.logs("dead_lettered").filter((l) => l["route"] === "account.*")).toEqual([]);
  });

  it("holds a `block` key after a dead letter and resumes it in order once the dead letter is replayed", async () => {
    const ledger = { "X-Ledger": "ledger-1" };
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await send("ledger.posted", { n }, ledger));
    const poisoned = ids[1] ?? "";

    await waitFor(() => gateway.logs("dead_lettered").some((l) => l["message_id"] === poisoned), { timeoutMs: 20_000, intervalMs: 50, what: "the dead letter" });
    const [row] = await gateway.d1<{ reason: string; ordering_key: string; sequence: number }>(`SELECT reason, ordering_key, sequence FROM dead_letters WHERE id = '${poisoned}'`);
    expect(row).toEqual({ reason: "rejected", ordering_key: "ledger-1", sequence: 2 });
    const heldFor = Date.now() + 1_500;
    await waitFor(() => Date.now() >= heldFor, { timeoutMs: 5_000, intervalMs: 100, what: "a moment with the key held" });
    // Sequence 2 was tried once (a 422 is final) and refused; 3..5 never reached the endpoint.
    expect(ofKey("/block", "ledger-1").map((r) => [header(r, "x-sequence"), r.status])).toEqual([
      ["1", 200],
      ["2", 422],
    ]);

    refuseSecond = false;
    const replay = await fetch(`${gateway.url}/admin/dlq/${poisoned}/replay`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(replay.status).toBe(202);
    await waitFor(() => delivered("/block", "ledger-1").length === 5, { timeoutMs: 20_000, intervalMs: 50, what: "the key to resume" });
    const got = delivered("/block", "ledger-1");
    expect(got.map((r) => header(r, "x-sequence"))).toEqual(["1", "2", "3", "4", "5"]);
    expect(got.map((r) => r.webhookId)).toEqual(ids);
  });

  it("measures delivered events per second for one key and for ten keys in parallel", async () => {
    const one = await measure(["bench-solo"], 200);
    const ten = await measure(
      Array.from({ length: 10 }, (_, i) => `bench-${i}`),
      60,
    );
    console.log(`ordered delivery, wrangler dev on this machine: 1 key ${one.toFixed(0)} events/s; 10 keys ${ten.toFixed(0)} events/s in total`);
    expect(one).toBeGreaterThan(0);
    expect(ten).toBeGreaterThan(0);
  });
});

/**
 * Builds a backlog per key while the consumer holds each key's head, then releases it and measures
 * how fast the objects drain: deliveries after the release over the time they took.
 */
async function measure(keys: readonly string[], perKey: number): Promise<number> {
  benchHoldMs = 3_000;
  const t0 = Date.now();
  await mapLimit(keys, keys.length, async (key) => {
    for (let n = 1; n <= perKey; n++) await send("bench.tick", { key, n });
  });
  benchHoldMs = 0;
  const released = Date.now();
  console.log(`ordering bench: ${keys.length * perKey} events accepted in ${released - t0} ms while the consumer held each key`);
  await waitFor(() => keys.every((k) => delivered("/bench", k).length >= perKey), { timeoutMs: 120_000, intervalMs: 50, what: "bench deliveries" });
  const after = keys
    .flatMap((k) => delivered("/bench", k))
    .filter((r) => r.receivedAt >= released)
    .map((r) => r.receivedAt)
    .sort((a, b) => a - b);
  const first = after[0];
  const last = after[after.length - 1];
  if (first === undefined || last === undefined || last === first) return 0;
  return ((after.length - 1) * 1000) / (last - first);
}
