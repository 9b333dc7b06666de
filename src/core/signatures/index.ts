// The signature layer's entry points: `verifySignature` dispatches an inbound request to its
// configured scheme; `signStandardWebhook` produces the `webhook-signature` header for deliveries.
import { encodeBase64, hmacSha256, importHmacKey, utf8 } from "./hmac";
import { joinPrefix } from "../bytes";
import { verifyGitHub } from "./github";
import { verifyHmacSha256Hex } from "./hmac-hex";
import { verifyShopify } from "./shopify";
import { verifySlack } from "./slack";
import { verifyStandardWebhooks } from "./standard-webhooks";
import { verifyStripe } from "./stripe";
import type { SchemeName, VerifyInput, VerifyResult } from "./types";

export type { SchemeName, VerifyFailure, VerifyInput, VerifyResult } from "./types";
export { sha256Hex } from "./hmac";
export { verifyGitHub, verifyHmacSha256Hex, verifyShopify, verifySlack, verifyStandardWebhooks, verifyStripe };

/** Verifies `input` under `scheme`. Resolves for any header content; never rejects on bad input. */
export function verifySignature(scheme: SchemeName, input: VerifyInput): Promise<VerifyResult> {
  switch (scheme) {
    case "standard-webhooks":
      return verifyStandardWebhooks(input);
    case "hmac-sha256-hex":
      return verifyHmacSha256Hex(input);
    case "stripe":
      return verifyStripe(input);
    case "github":
      return verifyGitHub(input);
    case "shopify":
      return verifyShopify(input);
    case "slack":
      return verifySlack(input);
    case "none":
      return Promise.resolve({ ok: true, signatureDigest: "" });
    default:
      return assertNever(scheme);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown signature scheme: ${String(value)}`);
}

export interface SignStandardWebhookParams {
  /** The `webhook-id` value (the message id). */
  id: string;
  /** The `webhook-timestamp` value, unix seconds. */
  timestampS: number;
  /** The exact body bytes sent. */
  body: Uint8Array;
  /** The endpoint's signing secrets, in rotation order. */
  secrets: readonly string[];
}

/**
 * The `webhook-signature` header value for an outbound delivery: one `v1,<base64>` entry per secret,
 * space separated, in the order given ("" for no secrets; the caller then omits the header).
 * Each secret is read like Standard Webhooks: base64 after an optional `whsec_` prefix; a secret
 * that is not valid base64 after the prefix is used as its UTF-8 bytes (whole string, prefix
 * included), so any non-empty string works as a signing secret. Throws on an empty secret or a
 * timestamp that is not a non-negative safe integer: both are configuration bugs.
 */
export async function signStandardWebhook(params: SignStandardWebhookParams): Promise<string> {
  if (!Number.isSafeInteger(params.timestampS) || params.timestampS < 0) {
    throw new RangeError(`webhook timestamp must be a non-negative integer: ${params.timestampS}`);
  }
  const signed = joinPrefix(utf8(`${params.id}.${params.timestampS}.`), params.body);
  const entries: string[] = [];
  for (const secret of params.secrets) {
    const key = await importHmacKey(secret, "standard-webhooks-or-utf8");
    if (key === null) throw new Error("a webhook signing secret is empty");
    entries.push(`v1,${encodeBase64(await hmacSha256(key, signed))}`);
  }
  return entries.join(" ");
}
