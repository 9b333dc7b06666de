// An endpoint configured to sign whose secret bindings are all missing never gets an unsigned
// request: async deliveries wait without spending an attempt, sync calls answer 503 with Retry-After.
import { afterEach, describe, expect, it, vi } from "vitest";
import { attemptDelivery } from "../../src/delivery/attempt";
import { loadConfig } from "../../src/config/load";
import type { Envelope } from "../../src/core/envelope";
import { forgetGuardCache } from "../../src/adapters/endpoint-guard-client";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, expectProblem, portsFor, signedRequest, testEnvelope } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
  setLogSink(undefined);
  forgetGuardCache();
});

const config = baseConfig({
  endpoints: { signer: { url: "http://127.0.0.1:9/signed", signing_secrets: ["GONE_SECRET"] } },
  routing_rules: [
    { event_type: "payment.authorize", mode: "sync", endpoint: "signer" },
    { event_type: "user.*", mode: "async", endpoint: "signer" },
  ],
});

function envelope(): Envelope {
  return testEnvelope({ endpoint: "signer", attempt: 2, policy: { matrix: [0], max_attempts: 2 }, last_status: 503, last_error: "HTTP 503" }, "msg_SIGNING");
}

describe("missing outbound signing secrets", () => {
  it("holds an async delivery without spending an attempt and without calling the endpoint", async () => {
    const logs: string[] = [];
    setLogSink((line) => logs.push(line));
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const loaded = loadConfig(JSON.stringify(config));
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const endpoint = loaded.config.endpoints.get("signer");
    if (endpoint === undefined) throw new Error("no endpoint");
    const outcome = await attemptDelivery(portsFor(envWith(config)), loaded.config, endpoint, envelope());
    expect(outcome.decision).toEqual({ kind: "wait", delayMs: 60_000 });
    expect(outcome.attempt).toBe(2);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(logs.some((l) => l.includes('"event":"signing_secrets_missing"') && l.includes('"endpoint":"signer"'))).toBe(true);
  });

  it("answers a sync call 503 with Retry-After instead of calling unsigned", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const res = await call(
      await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" }), { headers: { "X-Idempotency-Key": "sig-missing-1" } }),
      envWith(config),
    );
    await expectProblem(res, 503, "unavailable");
    expect(res.headers.get("Retry-After")).toBe("30");
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("signs with the secrets still bound when only some are missing", async () => {
    const partial = baseConfig({
      endpoints: { signer: { url: "http://127.0.0.1:9/signed", signing_secrets: ["GONE_SECRET", "PROFILES_SIGNING_SECRET"] } },
      routing_rules: [{ event_type: "payment.authorize", mode: "sync", endpoint: "signer" }],
    });
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const res = await call(
      await signedRequest("/webhooks/acme", JSON.stringify({ type: "payment.authorize" }), { headers: { "X-Idempotency-Key": "sig-partial-1" } }),
      envWith(partial),
    );
    expect(res.status).toBe(200);
    const sent = new Request(fetchSpy.mock.calls[0]?.[0] as RequestInfo, fetchSpy.mock.calls[0]?.[1]);
    expect(sent.headers.get("webhook-signature")?.split(" ")).toHaveLength(1);
  });
});
