// End to end, a real gzip body through the real gateway under wrangler dev to a real consumer: sync
// and async deliveries carry the received bytes with `Content-Encoding: gzip`, and so do the dead
// letter (GET /admin/dlq/{id}) and its replay.
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsumer, type Consumer, type RecordedRequest } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { waitFor } from "./harness/wait";

const SOURCE_SECRET = "whsec_Z3ppcC1zb3VyY2Utc2VjcmV0LWZvci1lMmU=";
const SIGNING_SECRET = "whsec_Z3ppcC1lbmRwb2ludC1zaWduaW5nLXNlY3JldA==";
const ADMIN_TOKEN = "gzip-e2e-admin-token-0123456789";

let consumer: Consumer;
let gateway: Gateway;

beforeAll(async () => {
  consumer = await startConsumer({ signingSecret: SIGNING_SECRET, behaviour: { paths: { "/ok": { status: 200 }, "/reject": { status: 400 } } } });
  // A 400 is final and no breaker failure: neither endpoint's breaker opens here.
  const endpoint = (path: string) => ({ url: `${consumer.url}${path}`, signing_secrets: ["ENDPOINT_SIGNING_SECRET"] });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 } } },
      endpoints: { ok: endpoint("/ok"), reject: endpoint("/reject") },
      routing_rules: [
        { event_type: "payment.authorize", mode: "sync", endpoint: "ok", timeout_ms: 5_000 },
        { event_type: "order.created", mode: "async", endpoint: "ok" },
        { event_type: "order.rejected", mode: "async", endpoint: "reject", retry_matrix: [0] },
      ],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET, ENDPOINT_SIGNING_SECRET: SIGNING_SECRET, ADMIN_TOKEN },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

const gzipped = (value: unknown) => new Uint8Array(gzipSync(Buffer.from(JSON.stringify(value))));
const send = (path: string, body: Uint8Array) => sendEvent(gateway.url, path, body, { secret: SOURCE_SECRET, headers: { "Content-Encoding": "gzip" } });

async function deliveries(id: string, count: number): Promise<RecordedRequest[]> {
  await waitFor(() => consumer.byId(id).length >= count, { timeoutMs: 30_000, intervalMs: 50, what: `${count} deliveries of ${id}` });
  return consumer.byId(id);
}

/** The delivery is the body as sent (a gzip member that inflates to the event), labelled gzip and signed. */
function expectGzipDelivery(delivery: RecordedRequest | undefined, body: Uint8Array, event: unknown): void {
  if (delivery === undefined) throw new Error("no delivery");
  expect(delivery.headers["content-encoding"]).toBe("gzip");
  expect(delivery.headers["content-type"]).toBe("application/json");
  expect(delivery.body.equals(Buffer.from(body))).toBe(true);
  expect(JSON.parse(gunzipSync(delivery.body).toString("utf8"))).toEqual(event);
  expect(delivery.signatureValid).toBe(true);
}

const admin = (path: string, method = "GET") => fetch(`${gateway.url}/admin${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

describe("a gzip body through the real gateway", () => {
  it("reaches the sync endpoint as sent, with Content-Encoding: gzip", async () => {
    const event = { type: "payment.authorize", amount: 1200, note: "Zoë ✓" };
    const body = gzipped(event);
    const answer = await send("/webhooks/acme/payment.authorize", body);
    expect(answer.status).toBe(200);
    const traceId = answer.headers.get("X-Trace-Id") ?? "";
    const calls = consumer.requests.filter((r) => r.path === "/ok" && r.headers["x-trace-id"] === traceId);
    expect(calls).toHaveLength(1);
    expectGzipDelivery(calls[0], body, event);
    expect(calls[0]?.headers["x-callback-mode"]).toBe("sync");
  });

  it("reaches the async endpoint as sent, with Content-Encoding: gzip", async () => {
    const event = { type: "order.created", items: Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, qty: i })) };
    const body = gzipped(event);
    const id = messageIdOf(await send("/webhooks/acme/order.created", body));
    const [delivery] = await deliveries(id, 1);
    expectGzipDelivery(delivery, body, event);
    expect(delivery?.headers["x-callback-mode"]).toBe("async");
  });

  it("keeps Content-Encoding in the dead letter and delivers it again on replay", async () => {
    const event = { type: "order.rejected", reason: "test" };
    const body = gzipped(event);
    const id = messageIdOf(await send("/webhooks/acme/order.rejected", body));
    expectGzipDelivery((await deliveries(id, 1))[0], body, event);
    await waitFor(() => gateway.logs("dead_lettered").some((l) => l["message_id"] === id), { timeoutMs: 30_000, intervalMs: 50, what: `dead letter ${id}` });

    const shown = (await (await admin(`/dlq/${id}`)).json()) as { headers: Record<string, string>; body: string; body_encoding: string };
    expect(shown.headers["Content-Encoding"]).toBe("gzip");
    expect(shown.body_encoding).toBe("base64");
    expect(Buffer.from(shown.body, "base64").equals(Buffer.from(body))).toBe(true);

    expect((await admin(`/dlq/${id}/replay`, "POST")).status).toBe(202);
    const [, replayed] = await deliveries(id, 2);
    expectGzipDelivery(replayed, body, event);
  });
});
