// The six signature schemes through the real ingress: a correct producer is accepted with either
// secret of a rotation, a wrong secret or a stale timestamp is a 401, the provider's delivery id is
// the idempotency key, and the provider's event type header is read by default.
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../src/core/envelope";
import { PRESET_DOCS } from "../../src/core/signatures/docs";
import { baseConfig, bindingFor, call, envWith, expectProblem, recordingQueue, schemeRequest, secretFor, SIGNED_SCHEMES, type SignedScheme } from "./helpers";

/** Schemes whose signature covers a timestamp checked against the tolerance. */
const TIMED: readonly SignedScheme[] = SIGNED_SCHEMES.filter((scheme) => PRESET_DOCS[scheme].timestamped);
/** The event type rides in the path, so every preset routes whatever its default event-type source. */
const URL = "https://gateway.test/webhooks/provider/thing.happened";

function schemeEnv(scheme: SignedScheme) {
  const q = recordingQueue();
  const config = baseConfig({
    sources: { provider: { verify: { scheme, secrets: ["PROVIDER_SECRET_NEW", "PROVIDER_SECRET_OLD"], tolerance_s: 300 } } },
    routing_rules: [{ event_type: "*", mode: "async", endpoint: "profiles" }],
  });
  const env = envWith(config, { DELIVERY_QUEUE: q.queue, PROVIDER_SECRET_NEW: bindingFor(scheme, 2), PROVIDER_SECRET_OLD: bindingFor(scheme, 1) });
  return { env, sent: q.sent };
}

async function providerRequest(
  scheme: SignedScheme,
  payload: Record<string, unknown>,
  opts: { secret?: string; timestampS?: number; headers?: Record<string, string>; url?: string } = {},
): Promise<Request> {
  const url = opts.url ?? URL;
  const raw = new TextEncoder().encode(JSON.stringify(payload));
  const { headers: signed, body } = await schemeRequest(scheme, opts.secret ?? secretFor(scheme, 2), raw, {
    url,
    ...(opts.timestampS === undefined ? {} : { timestampS: opts.timestampS }),
  });
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...signed, ...opts.headers },
    body,
  });
}

const event = () => ({ id: `evt_${crypto.randomUUID()}`, type: "thing.happened", n: 1 });

describe.each(SIGNED_SCHEMES)("scheme %s", (scheme) => {
  it("accepts a request signed with the current secret", async () => {
    const { env, sent } = schemeEnv(scheme);
    const res = await call(await providerRequest(scheme, event()), env);
    expect(res.status).toBe(202);
    expect((sent[0] as Envelope).source).toBe("provider");
  });

  it("accepts a request signed with the previous secret (rotation)", async () => {
    const { env } = schemeEnv(scheme);
    expect((await call(await providerRequest(scheme, event(), { secret: secretFor(scheme, 1) }), env)).status).toBe(202);
  });

  it("answers 401 for a request signed with an unknown secret, enqueuing nothing", async () => {
    const { env, sent } = schemeEnv(scheme);
    await expectProblem(await call(await providerRequest(scheme, event(), { secret: secretFor(scheme, 3) }), env), 401, "invalid-signature");
    expect(sent).toHaveLength(0);
  });

  if (TIMED.includes(scheme)) {
    it("answers 401 for a correctly signed request outside the tolerance, either way", async () => {
      const { env, sent } = schemeEnv(scheme);
      const now = Math.floor(Date.now() / 1000);
      await expectProblem(await call(await providerRequest(scheme, event(), { timestampS: now - 400 }), env), 401, "invalid-signature");
      await expectProblem(await call(await providerRequest(scheme, event(), { timestampS: now + 400 }), env), 401, "invalid-signature");
      expect((await call(await providerRequest(scheme, event(), { timestampS: now - 200 }), env)).status).toBe(202);
      expect(sent).toHaveLength(1);
    });
  }
});

describe("provider conventions", () => {
  const deliveryIds: Array<[SignedScheme, string]> = [
    ["github", "X-GitHub-Delivery"],
    ["shopify", "X-Shopify-Webhook-Id"],
  ];
  for (const [scheme, header] of deliveryIds) {
    it(`takes ${header} as the idempotency key for ${scheme}`, async () => {
      const { env, sent } = schemeEnv(scheme);
      const headers = { [header]: `delivery-${crypto.randomUUID()}` };
      expect((await call(await providerRequest(scheme, { type: "a.b", n: 1 }, { headers }), env)).status).toBe(202);
      await expectProblem(await call(await providerRequest(scheme, { type: "a.b", n: 2 }, { headers }), env), 409, "idempotency-key-reused");
      expect((sent[0] as Envelope).idempotency_key).toBe(headers[header]);
    });
  }

  it("takes the Stripe event id from the body as the idempotency key", async () => {
    const { env, sent } = schemeEnv("stripe");
    const id = `evt_${crypto.randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const first = await call(await providerRequest("stripe", { id, type: "charge.succeeded" }, { timestampS: now }), env);
    const again = await call(await providerRequest("stripe", { id, type: "charge.succeeded" }, { timestampS: now - 5 }), env);
    expect(again.headers.get("X-Idempotent-Replay")).toBe("true");
    expect(again.headers.get("X-Message-Id")).toBe(first.headers.get("X-Message-Id"));
    expect(sent).toHaveLength(1);
    expect((sent[0] as Envelope).idempotency_key).toBe(id);
  });

  it("reads X-GitHub-Event and X-Shopify-Topic as the event type by default", async () => {
    for (const [scheme, header, type] of [
      ["github", "X-GitHub-Event", "push"],
      ["shopify", "X-Shopify-Topic", "orders/create"],
    ] as const) {
      const { env, sent } = schemeEnv(scheme);
      expect(
        (await call(await providerRequest(scheme, { n: crypto.randomUUID() }, { headers: { [header]: type }, url: "https://gateway.test/webhooks/provider" }), env)).status,
      ).toBe(202);
      expect((sent[0] as Envelope).event_type).toBe(type);
    }
  });

  it("accepts unsigned requests only on a source configured with scheme none", async () => {
    const { env, sent } = schemeEnv("github");
    const unsigned = new Request("https://gateway.test/webhooks/provider", { method: "POST", body: JSON.stringify({ type: "a.b" }) });
    await expectProblem(await call(unsigned, env), 401, "invalid-signature");
    const open = new Request("https://gateway.test/webhooks/open/user.created", { method: "POST", body: "{}" });
    expect(sent).toHaveLength(0);
    const q = recordingQueue();
    expect((await call(open, envWith(baseConfig(), { DELIVERY_QUEUE: q.queue }))).status).toBe(202);
    expect(q.sent).toHaveLength(1);
  });
});
