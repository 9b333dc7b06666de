// Registration handshakes answered at the edge after verification (Slack url_verification, Zoom
// endpoint.url_validation, Discord PING, Twitch challenge): the provider gets its answer, nothing is
// queued, and an unsigned handshake is the usual 401.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { baseConfig, bindingFor, call, envWith, expectProblem, recordingQueue, schemeHeaders, secretFor, type SignedScheme } from "./helpers";

const URL = "https://gateway.test/webhooks/provider";

function handshakeEnv(scheme: SignedScheme) {
  const q = recordingQueue();
  const config = baseConfig({
    sources: { provider: { verify: { scheme, secrets: ["PROVIDER_SECRET"], tolerance_s: 300 } } },
    routing_rules: [{ event_type: "*", mode: "async", endpoint: "profiles" }],
  });
  return { env: envWith(config, { DELIVERY_QUEUE: q.queue, PROVIDER_SECRET: bindingFor(scheme, 1) }), sent: q.sent };
}

async function signedRequest(scheme: SignedScheme, payload: unknown, headers: Record<string, string> = {}): Promise<Request> {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const signed = await schemeHeaders(scheme, secretFor(scheme, 1), body, { url: URL });
  return new Request(URL, { method: "POST", headers: { "Content-Type": "application/json", ...signed, ...headers }, body });
}

describe("edge handshakes", () => {
  it("slack: answers url_verification with the challenge", async () => {
    const { env, sent } = handshakeEnv("slack");
    const res = await call(await signedRequest("slack", { type: "url_verification", token: "t", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" }), env);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/plain");
    expect(await res.text()).toBe("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    expect(sent).toHaveLength(0);
  });

  it("zoom: answers endpoint.url_validation with plainToken and its HMAC under the secret token", async () => {
    const { env, sent } = handshakeEnv("zoom");
    const plainToken = "qgg8vlvZRS6UYooatFL8Aw";
    const res = await call(await signedRequest("zoom", { event: "endpoint.url_validation", payload: { plainToken }, event_ts: 1654503849680 }), env);
    expect(res.status).toBe(200);
    const expected = createHmac("sha256", secretFor("zoom", 1)).update(plainToken).digest("hex");
    expect(await res.json()).toEqual({ plainToken, encryptedToken: expected });
    expect(sent).toHaveLength(0);
  });

  it("discord: answers a PING with a PONG", async () => {
    const { env, sent } = handshakeEnv("discord");
    const res = await call(await signedRequest("discord", { type: 1, id: "1", application_id: "2" }), env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
    expect(sent).toHaveLength(0);
  });

  it("twitch: echoes the challenge of webhook_callback_verification", async () => {
    const { env, sent } = handshakeEnv("twitch");
    const payload = { challenge: "pogchamp-kappa-360noscope-vohiyo", subscription: { type: "channel.follow" } };
    const res = await call(await signedRequest("twitch", payload, { "Twitch-Eventsub-Message-Type": "webhook_callback_verification" }), env);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("pogchamp-kappa-360noscope-vohiyo");
    expect(sent).toHaveLength(0);
  });

  it("an ordinary signed event still reaches the queue, and an unsigned handshake is a 401", async () => {
    const { env, sent } = handshakeEnv("discord");
    expect((await call(await signedRequest("discord", { type: 2, data: { name: "hello" } }), env)).status).toBe(202);
    expect(sent).toHaveLength(1);
    const unsigned = new Request(URL, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"type":1}' });
    await expectProblem(await call(unsigned, env), 401, "invalid-signature");
  });

  it("a discord source whose public key does not parse fails closed with 401", async () => {
    const q = recordingQueue();
    const config = baseConfig({
      sources: { provider: { verify: { scheme: "discord", secrets: ["PROVIDER_SECRET"], tolerance_s: 300 } } },
      routing_rules: [{ event_type: "*", mode: "async", endpoint: "profiles" }],
    });
    const env = envWith(config, { DELIVERY_QUEUE: q.queue, PROVIDER_SECRET: "not-a-key" });
    await expectProblem(await call(await signedRequest("discord", { type: 1 }), env), 401, "invalid-signature");
    expect(q.sent).toHaveLength(0);
  });
});
