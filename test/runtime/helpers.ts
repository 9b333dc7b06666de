// Shared helpers for Workers-runtime tests: a config builder, a signed request builder, and an
// app instance bound to the test env with overrides.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import { createApp } from "../../src/http/app";
import { signStandardWebhook } from "../../src/core/signatures";
import type { ConfigInput } from "../../src/config/schema";

export const testEnv = env as unknown as Env;
export const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const SIGNING_SECRET = "whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3RzLW9ubHk=";

export function baseConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    allow_private_networks: true,
    sources: {
      acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "type" },
      open: { verify: { scheme: "none", secrets: [], tolerance_s: 300 } },
    },
    endpoints: {
      profiles: { url: "http://127.0.0.1:9/hooks", signing_secrets: ["PROFILES_SIGNING_SECRET"] },
      payments: { url: "http://127.0.0.1:9/pay" },
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 500 },
      { event_type: "user.*", mode: "async", endpoint: "profiles" },
    ],
    ...overrides,
  };
}

export function envWith(config: unknown, extra: Record<string, unknown> = {}): Env {
  return {
    ...testEnv,
    GATEWAY_CONFIG: typeof config === "string" ? config : JSON.stringify(config),
    ACME_SECRET: SW_SECRET,
    PROFILES_SIGNING_SECRET: SIGNING_SECRET,
    ...extra,
  } as Env;
}

export async function call(request: Request, e: Env): Promise<Response> {
  const app = createApp();
  const ctx = createExecutionContext();
  const res = await app.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

let counter = 0;
export async function signedRequest(
  path: string,
  body: string | Uint8Array,
  opts: { headers?: Record<string, string>; id?: string; secret?: string; timestampS?: number } = {},
): Promise<Request> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const id = opts.id ?? `msg_test_${Date.now()}_${counter++}`;
  const ts = opts.timestampS ?? Math.floor(Date.now() / 1000);
  const signature = await signStandardWebhook({ id, timestampS: ts, body: bytes, secrets: [opts.secret ?? SW_SECRET] });
  return new Request(`https://gateway.test${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signature, ...opts.headers },
    body: bytes,
  });
}
