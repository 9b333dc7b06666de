// Shared fixtures for the signature tests, one entry per registered scheme: a known-answer vector
// (computed outside src/: the provider's documented example or node:crypto), two secrets for
// rotation, the timestamp header and malformed headers; plus the clock and a Headers that hands
// back any string. The compiler asks for an entry for every scheme in the registry.
import { producerHeaders, SCHEME_NAMES, schemeOf } from "../../src/core/signatures/index";
import type { SchemeName, VerifyInput, VerifyResult } from "../../src/core/signatures/index";
import { TEST_URL, referenceVector, references, type PresetReference } from "./presets-reference";

export const T = 1_700_000_000;
export const NOW_MS = T * 1000;
export const TOLERANCE_S = 300;

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function input(headers: Headers, body: Uint8Array, secrets: readonly string[]): VerifyInput {
  return { headers, body, secrets, toleranceS: TOLERANCE_S, nowMs: NOW_MS, url: TEST_URL, method: "POST" };
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

export type SignedScheme = Exclude<SchemeName, "none">;

/** One request signed outside src/, and the exact headers its producer sends. */
export interface KnownAnswer {
  /** Where the numbers come from. */
  origin: string;
  secret: string;
  body: string;
  /** Schemes that sign body fields: the body before its signature was written in. */
  unsigned?: string;
  timestampS: number;
  id: string;
  headers: Record<string, string>;
}

interface SchemeVectors {
  vector: KnownAnswer;
  /** Two valid secrets for the scheme, old and new. */
  secrets: readonly [string, string];
  /** The header holding the signed timestamp, for schemes that check one against the tolerance. */
  timestampHeader?: string;
  /** Header overrides, applied over a correctly signed request, that are malformed. */
  malformed: readonly Record<string, string>[];
  /** Presets only: time format, body coverage, public keys, randomised signatures (see PresetReference). */
  timeFormat?: PresetReference["timeFormat"];
  covers?: PresetReference["covers"];
  publicOf?: PresetReference["publicOf"];
  randomised?: boolean;
}

export interface SchemeFixture extends SchemeVectors {
  scheme: SignedScheme;
  verify: (input: VerifyInput) => Promise<VerifyResult>;
  /** Headers a correct producer sends, from the shared signer (message id `msg_1`). */
  sign: (secret: string, body: Uint8Array, timestampS: number) => Promise<Record<string, string>>;
  /** Every header the scheme requires: the ones its vector carries. */
  required: readonly string[];
  /** Whether the scheme checks a timestamp against the tolerance. */
  timed: boolean;
  /** `headers` (signed at `T`) with the timestamp written as `text` instead. */
  retime: (headers: Record<string, string>, text: string) => Record<string, string>;
}

const hex64 = "ab".repeat(32);
const base64Mac = Buffer.alloc(32, 7).toString("base64");

const CORE_SCHEMES = ["standard-webhooks", "hmac-sha256-hex", "stripe", "github", "shopify", "slack"] as const;
type CoreScheme = (typeof CORE_SCHEMES)[number];

const coreVectors: { [S in CoreScheme]: SchemeVectors } = {
  "standard-webhooks": {
    vector: {
      origin: "the Standard Webhooks specification's example",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      body: '{"test": 2432232314}',
      timestampS: 1614265330,
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      headers: {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
      },
    },
    secrets: [`whsec_${Buffer.alloc(32, 1).toString("base64")}`, `whsec_${Buffer.alloc(24, 2).toString("base64")}`],
    timestampHeader: "webhook-timestamp",
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
  "hmac-sha256-hex": {
    vector: {
      origin: "computed once with node:crypto's createHmac",
      secret: "legacy-secret",
      body: '{"type":"payment.authorize"}',
      timestampS: 1700000000,
      id: "unused",
      headers: { "X-Signature": "f8cb2fa10322f6d0a08f524c9f1068e661e4bebc695cd8c775663a630cd148ef", "X-Timestamp": "1700000000" },
    },
    secrets: ["legacy-secret-old", "legacy-secret-new"],
    timestampHeader: "X-Timestamp",
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
  stripe: {
    vector: {
      origin: "computed once with node:crypto's createHmac",
      secret: "whsec_test_secret",
      body: '{"id":"evt_1","object":"event"}',
      timestampS: 1700000000,
      id: "unused",
      headers: { "Stripe-Signature": "t=1700000000,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd" },
    },
    secrets: ["whsec_stripe_old", "whsec_stripe_new"],
    timestampHeader: "Stripe-Signature",
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
  github: {
    vector: {
      origin: "GitHub's documented example",
      secret: "It's a Secret to Everybody",
      body: "Hello, World!",
      timestampS: 0,
      id: "unused",
      headers: { "X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" },
    },
    secrets: ["github-old", "github-new"],
    malformed: [
      { "X-Hub-Signature-256": "" },
      { "X-Hub-Signature-256": hex64 },
      { "X-Hub-Signature-256": `sha1=${"ab".repeat(20)}` },
      { "X-Hub-Signature-256": `sha256=${hex64.slice(1)}` },
      { "X-Hub-Signature-256": `sha256=${"zz".repeat(32)}` },
      { "X-Hub-Signature-256": `sha256=${base64Mac}` },
    ],
  },
  shopify: {
    vector: {
      origin: "computed once with node:crypto's createHmac",
      secret: "shpss_test_secret",
      body: '{"id":820982911946154500}',
      timestampS: 0,
      id: "unused",
      headers: { "X-Shopify-Hmac-Sha256": "yYDzzGXpa38/AEhKuoflSKD+8mPXiMc4goA7uHZ4dYw=" },
    },
    secrets: ["shopify-old", "shopify-new"],
    malformed: [
      { "X-Shopify-Hmac-Sha256": "" },
      { "X-Shopify-Hmac-Sha256": hex64 },
      { "X-Shopify-Hmac-Sha256": base64Mac.replace("=", "") },
      { "X-Shopify-Hmac-Sha256": `${"-_".repeat(21)}A=` },
      { "X-Shopify-Hmac-Sha256": Buffer.alloc(31).toString("base64") },
    ],
  },
  slack: {
    vector: {
      origin: "computed once with node:crypto's createHmac, with the secret of Slack's documented example",
      secret: "8f742231b10e8888abcd99yyyzzz85a5",
      body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J",
      timestampS: 1531420618,
      id: "unused",
      headers: { "X-Slack-Signature": "v0=bca5eef5dd737ed259b428b18cd24f679baa18c3fc5f1cb2a6ac9f03e717969a", "X-Slack-Request-Timestamp": "1531420618" },
    },
    secrets: ["slack-old", "slack-new"],
    timestampHeader: "X-Slack-Request-Timestamp",
    malformed: [
      { "X-Slack-Signature": "" },
      { "X-Slack-Signature": hex64 },
      { "X-Slack-Signature": `v1=${hex64}` },
      { "X-Slack-Signature": `v0=${hex64.slice(1)}` },
      { "X-Slack-Signature": `v0=${"zz".repeat(32)}` },
    ],
  },
};

/** Every preset's entry, from its reference signer; a registered preset without one fails here. */
function presetVectors(scheme: SignedScheme): SchemeVectors {
  const reference = references[scheme];
  if (reference === undefined) throw new Error(`no reference signer for preset ${scheme} in presets-reference.ts`);
  return { ...reference, vector: referenceVector(scheme, reference) };
}

function vectorsOf(scheme: SignedScheme): SchemeVectors {
  return (CORE_SCHEMES as readonly string[]).includes(scheme) ? coreVectors[scheme as CoreScheme] : presetVectors(scheme);
}

function fixtureFor(scheme: SignedScheme): SchemeFixture {
  const entry = vectorsOf(scheme);
  const at = entry.timestampHeader;
  // Timestamps that are not unix seconds (ISO dates, milliseconds) are replaced whole.
  const whole = entry.timeFormat !== undefined && entry.timeFormat !== "unix-s";
  const publicOf = entry.publicOf;
  return {
    ...entry,
    scheme,
    verify: (request) => schemeOf(scheme).verify(publicOf === undefined ? request : { ...request, secrets: request.secrets.map((s) => publicOf[s] ?? s) }),
    sign: (secret, body, timestampS) => producerHeaders(scheme, { secret, body, timestampS, id: "msg_1", url: TEST_URL }),
    required: Object.keys(entry.vector.headers),
    timed: at !== undefined,
    retime: (headers, text) => (at === undefined ? headers : { ...headers, [at]: whole ? text : (headers[at] ?? "").replace(String(T), text) }),
  };
}

/** Every signing scheme of the registry, in registry order. */
export const fixtures: readonly SchemeFixture[] = SCHEME_NAMES.filter((name): name is SignedScheme => name !== "none").map(fixtureFor);

export function fixtureOf(scheme: SignedScheme): SchemeFixture {
  return fixtureFor(scheme);
}
