// Shared fixtures for the signature tests: an independent signer per scheme built on node:crypto,
// the clock and tolerance the tests use, and a Headers whose `get` hands back any string.
import { createHmac } from "node:crypto";
import {
  verifyGitHub,
  verifyHmacSha256Hex,
  verifyShopify,
  verifySlack,
  verifyStandardWebhooks,
  verifyStripe,
} from "../../src/core/signatures/index";
import type { SchemeName, VerifyInput, VerifyResult } from "../../src/core/signatures/index";

export const T = 1_700_000_000;
export const NOW_MS = T * 1000;
export const TOLERANCE_S = 300;

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function input(headers: Headers, body: Uint8Array, secrets: readonly string[]): VerifyInput {
  return { headers, body, secrets, toleranceS: TOLERANCE_S, nowMs: NOW_MS };
}

/**
 * A Headers that returns its values untouched: real Headers refuse characters above U+00FF, NUL and
 * line breaks, but the verifiers must survive any string a runtime might hand them.
 */
export class RawHeaders extends Headers {
  private readonly raw: Map<string, string>;
  constructor(values: Record<string, string>) {
    super();
    this.raw = new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), value]));
  }
  override get(name: string): string | null {
    return this.raw.get(name.toLowerCase()) ?? null;
  }
}

function hmac(key: string | Buffer, parts: readonly (string | Uint8Array)[]): Buffer {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

export interface SchemeFixture {
  scheme: Exclude<SchemeName, "none">;
  verify: (input: VerifyInput) => Promise<VerifyResult>;
  /** Two valid secrets for the scheme, old and new. */
  secrets: readonly [string, string];
  /** Headers a correct producer sends (timestamp ignored by schemes without one). */
  sign: (secret: string, body: Uint8Array, timestamp: number | string) => Record<string, string>;
  /** Every header the scheme requires. */
  required: readonly string[];
  /** Whether the scheme checks a timestamp against the tolerance. */
  timed: boolean;
  /** Header overrides, applied over a correctly signed request, that are malformed. */
  malformed: readonly Record<string, string>[];
}

const hex64 = "ab".repeat(32);
const base64Mac = Buffer.alloc(32, 7).toString("base64");

export const fixtures: readonly SchemeFixture[] = [
  {
    scheme: "standard-webhooks",
    verify: verifyStandardWebhooks,
    secrets: [`whsec_${Buffer.alloc(32, 1).toString("base64")}`, `whsec_${Buffer.alloc(24, 2).toString("base64")}`],
    sign: (secret, body, ts) => ({
      "webhook-id": "msg_1",
      "webhook-timestamp": String(ts),
      "webhook-signature": `v1,${hmac(standardWebhooksKey(secret), [`msg_1.${ts}.`, body]).toString("base64")}`,
    }),
    required: ["webhook-id", "webhook-timestamp", "webhook-signature"],
    timed: true,
    malformed: [
      { "webhook-signature": "" },
      { "webhook-signature": "v1" },
      { "webhook-signature": "v1," },
      { "webhook-signature": `v2,${base64Mac}` },
      { "webhook-signature": `v1,${base64Mac.replace("=", "")}` },
      { "webhook-signature": `v1,${Buffer.alloc(31).toString("base64")}` },
      { "webhook-signature": `v1,${hex64}` },
      { "webhook-signature": `v1,${"-_".repeat(21)}A=` },
      { "webhook-signature": `v1,${base64Mac.slice(0, 40)} ${base64Mac.slice(40)}` },
      { "webhook-id": "" },
      { "webhook-id": "m".repeat(257) },
    ],
  },
  {
    scheme: "hmac-sha256-hex",
    verify: verifyHmacSha256Hex,
    secrets: ["legacy-secret-old", "legacy-secret-new"],
    sign: (secret, body, ts) => ({
      "X-Signature": hmac(secret, [body]).toString("hex"),
      "X-Timestamp": String(ts),
    }),
    required: ["X-Signature", "X-Timestamp"],
    timed: true,
    malformed: [
      { "X-Signature": "" },
      { "X-Signature": "sha256=" },
      { "X-Signature": "zz".repeat(32) },
      { "X-Signature": hex64.slice(1) },
      { "X-Signature": `${hex64}a` },
      { "X-Signature": `sha1=${hex64}` },
      { "X-Signature": `sha256=sha256=${hex64}` },
      { "X-Signature": base64Mac },
    ],
  },
  {
    scheme: "stripe",
    verify: verifyStripe,
    secrets: ["whsec_stripe_old", "whsec_stripe_new"],
    sign: (secret, body, ts) => ({
      "Stripe-Signature": `t=${ts},v1=${hmac(secret, [`${ts}.`, body]).toString("hex")}`,
    }),
    required: ["Stripe-Signature"],
    timed: true,
    malformed: [
      { "Stripe-Signature": "" },
      { "Stripe-Signature": "garbage" },
      { "Stripe-Signature": `t=${T}` },
      { "Stripe-Signature": `v1=${hex64}` },
      { "Stripe-Signature": `t=${T},t=${T},v1=${hex64}` },
      { "Stripe-Signature": `t=${T},v0=${hex64}` },
      { "Stripe-Signature": `t=${T},v1=${"zz".repeat(32)}` },
      { "Stripe-Signature": `t=${T},v1=${hex64.slice(1)}` },
    ],
  },
  {
    scheme: "github",
    verify: verifyGitHub,
    secrets: ["github-old", "github-new"],
    sign: (secret, body) => ({ "X-Hub-Signature-256": `sha256=${hmac(secret, [body]).toString("hex")}` }),
    required: ["X-Hub-Signature-256"],
    timed: false,
    malformed: [
      { "X-Hub-Signature-256": "" },
      { "X-Hub-Signature-256": hex64 },
      { "X-Hub-Signature-256": `sha1=${"ab".repeat(20)}` },
      { "X-Hub-Signature-256": `sha256=${hex64.slice(1)}` },
      { "X-Hub-Signature-256": `sha256=${"zz".repeat(32)}` },
      { "X-Hub-Signature-256": `sha256=${base64Mac}` },
    ],
  },
  {
    scheme: "shopify",
    verify: verifyShopify,
    secrets: ["shopify-old", "shopify-new"],
    sign: (secret, body) => ({ "X-Shopify-Hmac-Sha256": hmac(secret, [body]).toString("base64") }),
    required: ["X-Shopify-Hmac-Sha256"],
    timed: false,
    malformed: [
      { "X-Shopify-Hmac-Sha256": "" },
      { "X-Shopify-Hmac-Sha256": hex64 },
      { "X-Shopify-Hmac-Sha256": base64Mac.replace("=", "") },
      { "X-Shopify-Hmac-Sha256": `${"-_".repeat(21)}A=` },
      { "X-Shopify-Hmac-Sha256": Buffer.alloc(31).toString("base64") },
    ],
  },
  {
    scheme: "slack",
    verify: verifySlack,
    secrets: ["slack-old", "slack-new"],
    sign: (secret, body, ts) => ({
      "X-Slack-Signature": `v0=${hmac(secret, [`v0:${ts}:`, body]).toString("hex")}`,
      "X-Slack-Request-Timestamp": String(ts),
    }),
    required: ["X-Slack-Signature", "X-Slack-Request-Timestamp"],
    timed: true,
    malformed: [
      { "X-Slack-Signature": "" },
      { "X-Slack-Signature": hex64 },
      { "X-Slack-Signature": `v1=${hex64}` },
      { "X-Slack-Signature": `v0=${hex64.slice(1)}` },
      { "X-Slack-Signature": `v0=${"zz".repeat(32)}` },
    ],
  },
];
