// The registry of signature schemes: one descriptor per scheme, listed once. The config's scheme
// names, default headers, idempotency sources, dedup coverage and the never-forward list all
// derive from it; adding a scheme is its file, one line here, its README row in docs.ts, and its test vectors.
import { github } from "./github";
import { hmacSha256Hex } from "./hmac-hex";
import { none } from "./none";
import { shopify } from "./shopify";
import { slack } from "./slack";
import { standardWebhooks } from "./standard-webhooks";
import { stripe } from "./stripe";
import { svix } from "./presets/svix";
import { clerk } from "./presets/clerk";
import { resend } from "./presets/resend";
import { polar } from "./presets/polar";
import { lemonSqueezy } from "./presets/lemonsqueezy";
import { twilio } from "./presets/twilio";
import { discord } from "./presets/discord";
import { sendgrid } from "./presets/sendgrid";
import { paddle } from "./presets/paddle";
import { square } from "./presets/square";
import { zoom } from "./presets/zoom";
import { intercom } from "./presets/intercom";
import { hubspot } from "./presets/hubspot";
import { linear } from "./presets/linear";
import { twitch } from "./presets/twitch";
import { typeform } from "./presets/typeform";
import { gitlab } from "./presets/gitlab";
import { bitbucket } from "./presets/bitbucket";
import { vercel } from "./presets/vercel";
import { calendly } from "./presets/calendly";
import { razorpay } from "./presets/razorpay";
import { wooCommerce } from "./presets/woocommerce";
import { postmark } from "./presets/postmark";
import { segment } from "./presets/segment";
import { sentry } from "./presets/sentry";
import { coinbaseCommerce } from "./presets/coinbase-commerce";
import { asana } from "./presets/asana";
import { box } from "./presets/box";
import { zendesk } from "./presets/zendesk";
import { trello } from "./presets/trello";
import { notion } from "./presets/notion";
import { dropbox } from "./presets/dropbox";
import { airtable } from "./presets/airtable";
import { jira } from "./presets/jira";
import { okta } from "./presets/okta";
import { mux } from "./presets/mux";
import { docusign } from "./presets/docusign";
import { gitea } from "./presets/gitea";
import { xero } from "./presets/xero";
import { mailgun } from "./presets/mailgun";
import { adyen } from "./presets/adyen";
import { contentful } from "./presets/contentful";
import type { SchemeDescriptor } from "./types";

/** The first six schemes, in precedence order: their delivery-id headers are read on every source. */
const CORE = [standardWebhooks, hmacSha256Hex, stripe, github, shopify, slack] as const;

/** Provider presets: one file each under presets/; their delivery ids are read under their own scheme only. */
const PRESETS = [
  svix,
  clerk,
  resend,
  polar,
  lemonSqueezy,
  twilio,
  discord,
  sendgrid,
  paddle,
  square,
  zoom,
  intercom,
  hubspot,
  linear,
  twitch,
  typeform,
  gitlab,
  bitbucket,
  vercel,
  calendly,
  razorpay,
  wooCommerce,
  postmark,
  segment,
  sentry,
  coinbaseCommerce,
  asana,
  box,
  zendesk,
  trello,
  notion,
  dropbox,
  airtable,
  jira,
  okta,
  mux,
  docusign,
  gitea,
  xero,
  mailgun,
  adyen,
  contentful,
] as const;

const SCHEMES = [...CORE, ...PRESETS, none] as const;

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
 * The core providers' delivery-id headers, in registry order. Each is read on every source, whatever
 * its scheme (`webhook-id` also from an unsigned source); a preset's id (header or body field) only
 * under its own scheme, so a generic name like Sentry's `Request-ID` never keys another source.
 */
export const DELIVERY_ID_HEADERS: readonly string[] = CORE.flatMap((scheme) =>
  scheme.deliveryId !== undefined && "header" in scheme.deliveryId ? [scheme.deliveryId.header] : [],
);
