// The registry of signature schemes: one descriptor per scheme, listed once. The config's scheme
// names, default headers, idempotency sources, dedup coverage and the never-forward list all
// derive from it; adding a scheme is its file, one line here, and its test vectors.
import { github } from "./github";
import { hmacSha256Hex } from "./hmac-hex";
import { none } from "./none";
import { shopify } from "./shopify";
import { slack } from "./slack";
import { standardWebhooks } from "./standard-webhooks";
import { stripe } from "./stripe";
import type { SchemeDescriptor } from "./types";

/** In precedence order: where two schemes' delivery-id headers are both present, the first wins. */
const SCHEMES = [standardWebhooks, hmacSha256Hex, stripe, github, shopify, slack, none] as const;

export type SchemeName = (typeof SCHEMES)[number]["name"];

/** Every scheme name, as the config accepts them. */
export const SCHEME_NAMES: readonly SchemeName[] = SCHEMES.map((scheme) => scheme.name);

const byName = new Map<string, SchemeDescriptor<SchemeName>>(SCHEMES.map((scheme) => [scheme.name, scheme]));

/** The descriptor of a scheme; throws for a name the config schema would have refused. */
export function schemeOf(name: SchemeName): SchemeDescriptor<SchemeName> {
  const scheme = byName.get(name);
  if (scheme === undefined) throw new Error(`unknown signature scheme: ${String(name)}`);
  return scheme;
}

/** Whether a source of this scheme must name at least one secret binding (all but `none`). */
export function takesSecrets(name: SchemeName): boolean {
  return schemeOf(name).secretFormat !== "none";
}

/** Every scheme's signature headers, lower case: never forwarded, whatever the source's scheme. */
export const SIGNATURE_HEADERS: readonly string[] = [...new Set(SCHEMES.flatMap((scheme) => scheme.signatureHeaders.map((h) => h.toLowerCase())))];

/**
 * The providers' delivery-id headers, in registry order. Each is read on every source, whatever its
 * scheme (`webhook-id` also from an unsigned source); body-field ids only under their own scheme.
 */
export const DELIVERY_ID_HEADERS: readonly string[] = SCHEMES.flatMap((scheme) =>
  scheme.deliveryId !== undefined && "header" in scheme.deliveryId ? [scheme.deliveryId.header] : [],
);
