// Scheduled rotation (docs/contract.md §8): secret entries with not_before / not_after switch the
// accepted and the sent signature sets at those instants, to the second, under a fake clock; a source
// or endpoint left with no secret in its window fails closed and raises an alert.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createWorkerApp } from "../../src/wiring";
import { loadConfig } from "../../src/config/load";
import { attemptDelivery } from "../../src/delivery/attempt";
import { secretAlerts } from "../../src/delivery/secret-alerts";
import { bindingSecrets } from "../../src/adapters/secrets";
import { verifyStandardWebhooks } from "../../src/core/signatures";
import { setLogSink } from "../../src/log";
import type { Env } from "../../src/env";
import type { Runtime } from "../../src/runtime";
import { baseConfig, envWith, noSleep, portsFor, schemeHeaders, secretFor, testEnvelope } from "./helpers";

const SWITCH = Date.parse("2026-03-02T00:00:00Z"); // NEW from here
const RETIRE = SWITCH + 24 * 3_600_000; // OLD until here (24 h overlap)
const OLD = secretFor("standard-webhooks", 1);
const NEW = secretFor("standard-webhooks", 2);
const at = (now: number): Runtime => ({ now: () => now, random: () => 0.5, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), sleep: noSleep });

const windows = [
  { binding: "ROT_OLD", not_after: new Date(RETIRE).toISOString() },
  { binding: "ROT_NEW", not_before: new Date(SWITCH).toISOString() },
];
const ENDPOINT_URL = "https://rotation.example.com/hooks";

function rotatingEnv(): Env {
  return envWith(
    baseConfig({
      allow_private_networks: false,
      sources: { rot: { verify: { scheme: "standard-webhooks", secrets: windows, tolerance_s: 300 } }, open: { verify: { scheme: "none" } } },
      endpoints: { signer: { url: ENDPOINT_URL, signing_secrets: windows } },
      routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "signer" }],
    }),
    { ROT_OLD: OLD, ROT_NEW: NEW, DELIVERY_QUEUE: { send: async () => undefined, sendBatch: async () => undefined } },
  );
}

async function ingress(e: Env, now: number, secret: string, path = "/webhooks/rot/user.created"): Promise<number> {
  const body = new TextEncoder().encode(JSON.stringify({ type: "user.created", now }));
  const headers = await schemeHeaders("standard-webhooks", secret, body, { timestampS: Math.floor(now / 1000) });
  const ctx = createExecutionContext();
  const res = await createWorkerApp(at(now)).fetch(
    new Request(`https://gateway.test${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }),
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  await res.body?.cancel();
  return res.status;
}

/** The secrets whose signature is in the delivery made at `now` (old, new, both). */
async function signedWith(e: Env, now: number): Promise<string[]> {
  let signature = "";
  let id = "";
  let ts = "";
  let body = new Uint8Array();
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    signature = request.headers.get("webhook-signature") ?? "";
    id = request.headers.get("webhook-id") ?? "";
    ts = request.headers.get("webhook-timestamp") ?? "";
    body = new Uint8Array(await request.arrayBuffer());
    return new Response(null, { status: 204 });
  });
  const loaded = loadConfig(e.GATEWAY_CONFIG);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const endpoint = loaded.config.endpoints.get("signer");
  if (endpoint === undefined) throw new Error("no endpoint");
  const outcome = await attemptDelivery(portsFor(e, at(now)), loaded.config, endpoint, testEnvelope({ endpoint: "signer", received_at: now }, "msg_ROTWIN"));
  vi.restoreAllMocks();
  if (outcome.decision.kind !== "delivered") return [outcome.decision.kind];
  const found: string[] = [];
  for (const [name, secret] of [
    ["old", OLD],
    ["new", NEW],
  ] as const) {
    const headers = new Headers({ "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": signature });
    if ((await verifyStandardWebhooks({ headers, body, secrets: [secret], toleranceS: 300, nowMs: now })).ok) found.push(name);
  }
  return found;
}

afterEach(() => {
  vi.restoreAllMocks();
  setLogSink(undefined);
});

describe("a rotation scheduled in the config", () => {
  it("accepts the new secret from not_before and the old one until not_after, to the second", async () => {
    setLogSink(() => undefined);
    const e = rotatingEnv();
    expect([await ingress(e, SWITCH - 1000, OLD), await ingress(e, SWITCH - 1000, NEW)]).toEqual([202, 401]);
    expect([await ingress(e, SWITCH, OLD), await ingress(e, SWITCH, NEW)]).toEqual([202, 202]);
    expect([await ingress(e, RETIRE - 1000, OLD), await ingress(e, RETIRE - 1000, NEW)]).toEqual([202, 202]);
    expect([await ingress(e, RETIRE, OLD), await ingress(e, RETIRE, NEW)]).toEqual([401, 202]);
  });

  it("signs deliveries with the secrets inside their window: old, both during the overlap, then new", async () => {
    setLogSink(() => undefined);
    const e = rotatingEnv();
    expect(await signedWith(e, SWITCH - 1000)).toEqual(["old"]);
    expect(await signedWith(e, SWITCH)).toEqual(["old", "new"]);
    expect(await signedWith(e, RETIRE - 1000)).toEqual(["old", "new"]);
    expect(await signedWith(e, RETIRE)).toEqual(["new"]);
  });

  it("fails closed and alerts when no secret is left in its window", async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const expired = envWith(
      baseConfig({
        allow_private_networks: false,
        sources: { rot: { verify: { scheme: "standard-webhooks", secrets: [windows[0] ?? ""] } } },
        endpoints: { signer: { url: ENDPOINT_URL, signing_secrets: [windows[0] ?? ""] } },
        routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "signer" }],
      }),
      { ROT_OLD: OLD },
    );
    expect(await ingress(expired, RETIRE - 1000, OLD)).toBe(202);
    expect(await ingress(expired, RETIRE, OLD)).toBe(401);
    expect(lines.some((l) => l.includes('"event":"no_valid_secret"') && l.includes('"source":"rot"'))).toBe(true);
    expect(await signedWith(expired, RETIRE)).toEqual(["wait"]);
    const loaded = loadConfig(expired.GATEWAY_CONFIG);
    if (!loaded.ok) throw new Error("config");
    const secrets = bindingSecrets(expired);
    expect(secretAlerts(loaded.config, secrets, RETIRE - 1000)).toEqual([]);
    expect(secretAlerts(loaded.config, secrets, RETIRE).map((a) => (a.kind === "no_valid_secret" ? `${a.scope}:${a.name}` : a.kind))).toEqual(["source:rot", "endpoint:signer"]);
  });

  it("needs no secrets for scheme none", async () => {
    setLogSink(() => undefined);
    // The headers of a signed request are simply ignored by scheme none.
    expect(await ingress(rotatingEnv(), SWITCH, OLD, "/webhooks/open/user.created")).toBe(202);
  });
});
