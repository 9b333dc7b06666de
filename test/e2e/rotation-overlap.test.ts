// End to end, scheduled rotation (docs/contract.md §8): during a 24-hour overlap written in the config,
// the real gateway accepts producers on the old and the new secret, and signs each delivery with both,
// so a real consumer holding either secret verifies it; secrets outside their window are not used.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsumer, verifyStandardWebhookSignature, type Consumer } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { messageIdOf, sendEvent } from "./harness/producer";
import { waitFor } from "./harness/wait";

const SOURCE_OLD = "whsec_c291cmNlLW9sZC1zZWNyZXQtZm9yLWUyZQ==";
const SOURCE_NEW = "whsec_c291cmNlLW5ldy1zZWNyZXQtZm9yLWUyZQ==";
const SOURCE_GONE = "whsec_c291cmNlLWdvbmUtc2VjcmV0LWZvci1lMmU=";
const SIGN_OLD = "whsec_ZW5kcG9pbnQtb2xkLXNpZ25pbmctc2VjcmV0";
const SIGN_NEW = "whsec_ZW5kcG9pbnQtbmV3LXNpZ25pbmctc2VjcmV0";
const SIGN_LATER = "whsec_ZW5kcG9pbnQtbGF0ZXItc2lnbmluZy1zZWNy";

let consumer: Consumer;
let gateway: Gateway;

beforeAll(async () => {
  const now = Date.now();
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const HOUR = 3_600_000;
  // What `npm run rotate` prints, shifted so that "now" is inside the overlap.
  const overlap = (old: string, fresh: string) => [
    { binding: old, not_after: iso(23 * HOUR) },
    { binding: fresh, not_before: iso(-HOUR) },
  ];
  consumer = await startConsumer({ signingSecret: SIGN_OLD, behaviour: { status: 204 } });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: [...overlap("SRC_OLD", "SRC_NEW"), { binding: "SRC_GONE", not_after: iso(-HOUR) }] } } },
      endpoints: { consumer: { url: `${consumer.url}/hooks`, signing_secrets: [...overlap("SIGN_OLD", "SIGN_NEW"), { binding: "SIGN_LATER", not_before: iso(48 * HOUR) }] } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "consumer", retry_matrix: [0] }],
    },
    secrets: { SRC_OLD: SOURCE_OLD, SRC_NEW: SOURCE_NEW, SRC_GONE: SOURCE_GONE, SIGN_OLD, SIGN_NEW, SIGN_LATER },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

describe("rotation overlap against the real consumer", () => {
  it("accepts producers on either secret of the overlap and refuses an expired one", async () => {
    const body = (n: number) => JSON.stringify({ type: "user.created", n });
    expect((await sendEvent(gateway.url, "/webhooks/acme", body(1), { secret: SOURCE_OLD })).status).toBe(202);
    expect((await sendEvent(gateway.url, "/webhooks/acme", body(2), { secret: SOURCE_NEW })).status).toBe(202);
    expect((await sendEvent(gateway.url, "/webhooks/acme", body(3), { secret: SOURCE_GONE })).status).toBe(401);
  });

  it("signs each delivery with both secrets of the overlap, and both verify at the consumer", async () => {
    const id = messageIdOf(await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type: "user.updated" }), { secret: SOURCE_NEW }));
    await waitFor(() => consumer.byId(id).length > 0, { timeoutMs: 30_000, what: "the delivery" });
    const [delivery] = consumer.byId(id);
    if (delivery === undefined) throw new Error("no delivery");
    expect(delivery.signatureValid).toBe(true); // the consumer's own check, with the old secret
    expect(verifyStandardWebhookSignature(SIGN_NEW, delivery.headers, delivery.body)).toBe(true);
    expect(verifyStandardWebhookSignature(SIGN_LATER, delivery.headers, delivery.body)).toBe(false);
    expect(delivery.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
  });
});
