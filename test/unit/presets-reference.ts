// Reference signers for the provider presets, written from each provider's documentation with
// node:crypto (independently of src/), and the fixture entries built from them: a known-answer
// vector, two secrets, where the timestamp sits, and malformed headers.
import { escape as queryEscape } from "node:querystring";
import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, type BinaryToTextEncoding } from "node:crypto";

export const T = 1_700_000_000;
/** The URL every test request is sent to (Twilio, Square, HubSpot and Trello sign it). */
export const TEST_URL = "https://gateway.test/webhooks/src?tenant=7";
const BODY = '{"type":"ping","id":"evt_1","event_type":"ping","event":"ping"}';
const ID = "msg_1";

type Alg = "sha1" | "sha256";
const mac = (alg: Alg, key: string | Buffer, data: string | Buffer, enc: BinaryToTextEncoding) => createHmac(alg, key).update(data).digest(enc);
const iso = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", "Z");
const svixKey = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ""), "base64");

/** Signs `body` as the provider does, at unix time `t`, for message id `id` and URL `url`. */
export type ReferenceSigner = (secret: string, body: Buffer, t: number, id: string, url: string) => Record<string, string>;

export interface PresetReference {
  sign: ReferenceSigner;
  secrets: readonly [string, string];
  /** The header holding the signed timestamp, for presets that check one. */
  timestampHeader?: string;
  timeFormat?: "unix-s" | "unix-ms" | "rfc3339";
  /** What of the body the signature covers: every byte (default), the form parameters, fields of the body, or nothing. */
  covers?: "bytes" | "form" | "fields" | "nothing";
  /** Schemes that sign body fields: the body the provider sends for `body`, signature written in. */
  signBody?: (secret: string, body: Buffer, t: number, id: string) => Buffer;
  /** The unsigned body of the vector, when the scheme needs one of its own shape (Adyen's notification). */
  vectorBody?: string;
  /** Public keys for private signing secrets (asymmetric presets). */
  publicOf?: Readonly<Record<string, string>>;
  /** The signature is randomised (ECDSA): the producer cannot reproduce the vector byte for byte. */
  randomised?: boolean;
  /** Header overrides that are malformed. */
  malformed: readonly Record<string, string>[];
}

const svixLike =
  (prefix: "svix" | "webhook", key: (secret: string) => Buffer): ReferenceSigner =>
  (secret, body, t, id) => ({
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(t),
    [`${prefix}-signature`]: `v1,${mac("sha256", key(secret), Buffer.concat([Buffer.from(`${id}.${t}.`), body]), "base64")}`,
  });

const bodyMac =
  (header: string, alg: Alg, enc: BinaryToTextEncoding, prefix = ""): ReferenceSigner =>
  (secret, body) => ({ [header]: prefix + mac(alg, secret, body, enc) });

const whsec = (n: number) => `whsec_${Buffer.alloc(24, n).toString("base64")}`;
const text = (name: string): readonly [string, string] => [`${name}-old-secret`, `${name}-new-secret`];
const bad = (header: string, ...values: string[]) => ["", "not a mac", ...values].map((value) => ({ [header]: value }));

// Discord: two Ed25519 key pairs from fixed seeds (hex), their raw public keys in hex.
const ED_PKCS8 = "302e020100300506032b657004220420";
const edSeeds = ["1f".repeat(32), "2e".repeat(32)] as const;
const edPrivate = (seed: string) => createPrivateKey({ key: Buffer.from(ED_PKCS8 + seed, "hex"), format: "der", type: "pkcs8" });
const edPublic = (seed: string) => createPublicKey(edPrivate(seed)).export({ format: "der", type: "spki" }).subarray(-32).toString("hex");

// SendGrid: two P-256 key pairs generated per run (base64 PKCS#8 private, base64 SPKI public).
const ecPairs = [0, 1].map(() => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { private: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"), public: publicKey.export({ format: "der", type: "spki" }).toString("base64") };
});
export const SENDGRID_KEYS = ecPairs;

/** Twilio's documented rule: URL, then name+value of each form parameter sorted by name. */
function twilioText(url: string, body: Buffer): string {
  const params = new URLSearchParams(body.toString("utf8"));
  const names = [...new Set(params.keys())].sort();
  return names.reduce(
    (acc, name) =>
      acc +
      [...new Set(params.getAll(name))]
        .sort()
        .map((value) => name + value)
        .join(""),
    url,
  );
}

/** HubSpot's v3 URI: the escapes of its table decoded (`%3A` → `:` ... `%3B` → `;`), the others kept. */
const HUBSPOT_TABLE: Record<string, string> = {
  "3A": ":",
  "2F": "/",
  "3F": "?",
  "40": "@",
  "21": "!",
  "24": "$",
  "27": "'",
  "28": "(",
  "29": ")",
  "2A": "*",
  "2C": ",",
  "3B": ";",
};
export const hubspotUri = (url: string) => url.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => HUBSPOT_TABLE[hex.toUpperCase()] ?? escape);

/** Contentful's canonical path: the query escaped whole, then the path URI-encoded (node-apps-toolkit's rule). */
function contentfulPath(url: string): string {
  const parsed = new URL(url);
  const [path = "", query] = (parsed.pathname + parsed.search).split("?");
  return encodeURI(query ? `${path}?${queryEscape(query)}` : path);
}

/** Adyen's signed text of one NotificationRequestItem: eight fields joined by ":", absent ones empty. */
export function adyenText(item: Record<string, unknown>): string {
  const amount = (item["amount"] ?? {}) as Record<string, unknown>;
  const fields = [
    item["pspReference"],
    item["originalReference"],
    item["merchantAccountCode"],
    item["merchantReference"],
    amount["value"],
    amount["currency"],
    item["eventCode"],
    item["success"],
  ];
  return fields.map((f) => (f === undefined || f === null ? "" : String(f))).join(":");
}

/** The notification from Adyen's HMAC documentation, without its signature. */
export const ADYEN_DOCS_NOTIFICATION = JSON.stringify({
  live: "false",
  notificationItems: [
    {
      NotificationRequestItem: {
        additionalData: {},
        amount: { currency: "EUR", value: 1130 },
        eventCode: "AUTHORISATION",
        eventDate: "2014-08-06T13:39:04+02:00",
        merchantAccountCode: "TestMerchant",
        merchantReference: "TestPayment-1407325143704",
        pspReference: "7914073381342284",
        success: "true",
      },
    },
  ],
});

export const references: Record<string, PresetReference> = {
  svix: { sign: svixLike("svix", svixKey), secrets: [whsec(1), whsec(2)], timestampHeader: "svix-timestamp", malformed: bad("svix-signature", "v1,", "v2,AAAA") },
  clerk: { sign: svixLike("svix", svixKey), secrets: [whsec(3), whsec(4)], timestampHeader: "svix-timestamp", malformed: bad("svix-signature", "v1,") },
  resend: { sign: svixLike("svix", svixKey), secrets: [whsec(5), whsec(6)], timestampHeader: "svix-timestamp", malformed: bad("svix-signature", "v1,") },
  polar: { sign: svixLike("webhook", (s) => Buffer.from(s)), secrets: text("polar"), timestampHeader: "webhook-timestamp", malformed: bad("webhook-signature", "v1,") },
  lemonsqueezy: { sign: bodyMac("X-Signature", "sha256", "hex"), secrets: text("lemon"), malformed: bad("X-Signature", "ab".repeat(31)) },
  twilio: {
    sign: (secret, body, _t, _id, url) => ({ "X-Twilio-Signature": mac("sha1", secret, twilioText(url, body), "base64") }),
    secrets: text("twilio"),
    covers: "form",
    malformed: bad("X-Twilio-Signature", Buffer.alloc(32).toString("base64")),
  },
  discord: {
    sign: (seed, body, t) => ({
      "X-Signature-Ed25519": nodeSign(null, Buffer.concat([Buffer.from(String(t)), body]), edPrivate(seed)).toString("hex"),
      "X-Signature-Timestamp": String(t),
    }),
    secrets: edSeeds,
    publicOf: Object.fromEntries(edSeeds.map((seed) => [seed, edPublic(seed)])),
    timestampHeader: "X-Signature-Timestamp",
    malformed: bad("X-Signature-Ed25519", "ab".repeat(63)),
  },
  sendgrid: {
    sign: (privateKey, body, t) => ({
      "X-Twilio-Email-Event-Webhook-Signature": nodeSign("sha256", Buffer.concat([Buffer.from(String(t)), body]), {
        key: createPrivateKey({ key: Buffer.from(privateKey, "base64"), format: "der", type: "pkcs8" }),
        dsaEncoding: "der",
      }).toString("base64"),
      "X-Twilio-Email-Event-Webhook-Timestamp": String(t),
    }),
    secrets: [ecPairs[0]?.private ?? "", ecPairs[1]?.private ?? ""],
    publicOf: Object.fromEntries(ecPairs.map((pair) => [pair.private, pair.public])),
    randomised: true,
    timestampHeader: "X-Twilio-Email-Event-Webhook-Timestamp",
    malformed: bad("X-Twilio-Email-Event-Webhook-Signature", "MEUCIQ=="),
  },
  paddle: {
    sign: (secret, body, t) => ({ "Paddle-Signature": `ts=${t};h1=${mac("sha256", secret, Buffer.concat([Buffer.from(`${t}:`), body]), "hex")}` }),
    secrets: text("pdl_ntfset"),
    timestampHeader: "Paddle-Signature",
    malformed: bad("Paddle-Signature", `ts=${T}`, `h1=${"ab".repeat(32)}`, `ts=${T};ts=${T};h1=${"ab".repeat(32)}`),
  },
  square: {
    sign: (secret, body, _t, _id, url) => ({ "x-square-hmacsha256-signature": mac("sha256", secret, Buffer.concat([Buffer.from(url), body]), "base64") }),
    secrets: text("square"),
    malformed: bad("x-square-hmacsha256-signature"),
  },
  zoom: {
    sign: (secret, body, t) => ({ "x-zm-signature": `v0=${mac("sha256", secret, Buffer.concat([Buffer.from(`v0:${t}:`), body]), "hex")}`, "x-zm-request-timestamp": String(t) }),
    secrets: text("zoom"),
    timestampHeader: "x-zm-request-timestamp",
    malformed: bad("x-zm-signature", "ab".repeat(32), `v1=${"ab".repeat(32)}`),
  },
  intercom: { sign: bodyMac("X-Hub-Signature", "sha1", "hex", "sha1="), secrets: text("intercom"), malformed: bad("X-Hub-Signature", `sha256=${"ab".repeat(32)}`) },
  hubspot: {
    sign: (secret, body, t, _id, url) => ({
      "X-HubSpot-Signature-v3": mac("sha256", secret, Buffer.concat([Buffer.from(`POST${hubspotUri(url)}`), body, Buffer.from(String(t * 1000))]), "base64"),
      "X-HubSpot-Request-Timestamp": String(t * 1000),
    }),
    secrets: text("hubspot"),
    timestampHeader: "X-HubSpot-Request-Timestamp",
    timeFormat: "unix-ms",
    malformed: bad("X-HubSpot-Signature-v3"),
  },
  linear: { sign: bodyMac("Linear-Signature", "sha256", "hex"), secrets: text("linear"), malformed: bad("Linear-Signature") },
  twitch: {
    sign: (secret, body, t, id) => ({
      "Twitch-Eventsub-Message-Signature": `sha256=${mac("sha256", secret, Buffer.concat([Buffer.from(id + iso(t)), body]), "hex")}`,
      "Twitch-Eventsub-Message-Timestamp": iso(t),
      "Twitch-Eventsub-Message-Id": id,
    }),
    secrets: text("twitch"),
    timestampHeader: "Twitch-Eventsub-Message-Timestamp",
    timeFormat: "rfc3339",
    malformed: bad("Twitch-Eventsub-Message-Signature", "ab".repeat(32)),
  },
  typeform: { sign: bodyMac("Typeform-Signature", "sha256", "base64", "sha256="), secrets: text("typeform"), malformed: bad("Typeform-Signature", "sha256=") },
  gitlab: { sign: (secret) => ({ "X-Gitlab-Token": secret }), secrets: text("gitlab"), covers: "nothing", malformed: [{ "X-Gitlab-Token": "" }] },
  bitbucket: { sign: bodyMac("X-Hub-Signature", "sha256", "hex", "sha256="), secrets: text("bitbucket"), malformed: bad("X-Hub-Signature", `sha1=${"ab".repeat(20)}`) },
  vercel: { sign: bodyMac("x-vercel-signature", "sha1", "hex"), secrets: text("vercel"), malformed: bad("x-vercel-signature", "ab".repeat(32)) },
  calendly: {
    sign: (secret, body, t) => ({ "Calendly-Webhook-Signature": `t=${t},v1=${mac("sha256", secret, Buffer.concat([Buffer.from(`${t}.`), body]), "hex")}` }),
    secrets: text("calendly"),
    timestampHeader: "Calendly-Webhook-Signature",
    malformed: bad("Calendly-Webhook-Signature", `t=${T}`),
  },
  razorpay: { sign: bodyMac("X-Razorpay-Signature", "sha256", "hex"), secrets: text("razorpay"), malformed: bad("X-Razorpay-Signature") },
  woocommerce: { sign: bodyMac("X-WC-Webhook-Signature", "sha256", "base64"), secrets: text("woo"), malformed: bad("X-WC-Webhook-Signature") },
  postmark: {
    sign: (secret) => ({ Authorization: `Basic ${Buffer.from(secret).toString("base64")}` }),
    secrets: ["hooks:old-password", "hooks:new-password"],
    covers: "nothing",
    malformed: [{ Authorization: "" }],
  },
  segment: { sign: bodyMac("X-Signature", "sha1", "hex"), secrets: text("segment"), malformed: bad("X-Signature", "ab".repeat(32)) },
  sentry: { sign: bodyMac("Sentry-Hook-Signature", "sha256", "hex"), secrets: text("sentry"), malformed: bad("Sentry-Hook-Signature") },
  "coinbase-commerce": { sign: bodyMac("X-CC-Webhook-Signature", "sha256", "hex"), secrets: text("coinbase"), malformed: bad("X-CC-Webhook-Signature") },
  asana: { sign: bodyMac("X-Hook-Signature", "sha256", "hex"), secrets: text("asana"), malformed: bad("X-Hook-Signature") },
  box: {
    sign: (secret, body, t) => ({
      "BOX-SIGNATURE-VERSION": "1",
      "BOX-SIGNATURE-ALGORITHM": "HmacSHA256",
      "BOX-SIGNATURE-PRIMARY": mac("sha256", secret, Buffer.concat([body, Buffer.from(iso(t))]), "base64"),
      "BOX-DELIVERY-TIMESTAMP": iso(t),
    }),
    secrets: text("box"),
    timestampHeader: "BOX-DELIVERY-TIMESTAMP",
    timeFormat: "rfc3339",
    malformed: bad("BOX-SIGNATURE-PRIMARY"),
  },
  zendesk: {
    sign: (secret, body, t) => ({
      "X-Zendesk-Webhook-Signature": mac("sha256", secret, Buffer.concat([Buffer.from(iso(t)), body]), "base64"),
      "X-Zendesk-Webhook-Signature-Timestamp": iso(t),
    }),
    secrets: text("zendesk"),
    timestampHeader: "X-Zendesk-Webhook-Signature-Timestamp",
    timeFormat: "rfc3339",
    malformed: bad("X-Zendesk-Webhook-Signature"),
  },
  trello: {
    sign: (secret, body, _t, _id, url) => ({ "X-Trello-Webhook": mac("sha1", secret, Buffer.concat([body, Buffer.from(url)]), "base64") }),
    secrets: text("trello"),
    malformed: bad("X-Trello-Webhook", Buffer.alloc(32).toString("base64")),
  },
  notion: { sign: bodyMac("X-Notion-Signature", "sha256", "hex", "sha256="), secrets: text("notion"), malformed: bad("X-Notion-Signature", "ab".repeat(32)) },
  dropbox: { sign: bodyMac("X-Dropbox-Signature", "sha256", "hex"), secrets: text("dropbox"), malformed: bad("X-Dropbox-Signature") },
  airtable: {
    sign: (secret, body) => ({ "X-Airtable-Content-MAC": `hmac-sha256=${mac("sha256", Buffer.from(secret, "base64"), body, "hex")}` }),
    secrets: [Buffer.alloc(32, 9).toString("base64"), Buffer.alloc(32, 10).toString("base64")],
    malformed: bad("X-Airtable-Content-MAC", "ab".repeat(32)),
  },
  jira: { sign: bodyMac("X-Hub-Signature", "sha256", "hex", "sha256="), secrets: text("jira"), malformed: bad("X-Hub-Signature") },
  okta: { sign: (secret) => ({ Authorization: secret }), secrets: text("okta"), covers: "nothing", malformed: [{ Authorization: "" }] },
  mux: {
    sign: (secret, body, t) => ({ "Mux-Signature": `t=${t},v1=${mac("sha256", secret, Buffer.concat([Buffer.from(`${t}.`), body]), "hex")}` }),
    secrets: text("mux"),
    timestampHeader: "Mux-Signature",
    malformed: bad("Mux-Signature", `t=${T}`),
  },
  docusign: { sign: bodyMac("X-DocuSign-Signature-1", "sha256", "base64"), secrets: text("docusign"), malformed: bad("X-DocuSign-Signature-1") },
  gitea: { sign: bodyMac("X-Gitea-Signature", "sha256", "hex"), secrets: text("gitea"), malformed: bad("X-Gitea-Signature") },
  xero: { sign: bodyMac("x-xero-signature", "sha256", "base64"), secrets: text("xero"), malformed: bad("x-xero-signature") },
  mailgun: {
    sign: () => ({}),
    signBody: (secret, body, t, id) => {
      const signature = { timestamp: String(t), token: id, signature: mac("sha256", secret, `${t}${id}`, "hex") };
      return Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString("utf8")) as object), signature }));
    },
    secrets: text("mailgun"),
    covers: "fields",
    malformed: [],
  },
  adyen: {
    sign: () => ({}),
    signBody: (secret, body) => {
      const notification = JSON.parse(body.toString("utf8")) as { notificationItems: { NotificationRequestItem: Record<string, unknown> }[] };
      for (const { NotificationRequestItem: item } of notification.notificationItems) {
        item["additionalData"] = { ...(item["additionalData"] as object), hmacSignature: mac("sha256", Buffer.from(secret, "hex"), adyenText(item), "base64") };
      }
      return Buffer.from(JSON.stringify(notification));
    },
    vectorBody: ADYEN_DOCS_NOTIFICATION,
    secrets: ["44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056", "0f".repeat(32)],
    covers: "fields",
    malformed: [],
  },
  contentful: {
    sign: (secret, body, t, _id, url) => {
      const ms = String(t * 1000);
      const canonical = `POST\n${contentfulPath(url)}\nx-contentful-signed-headers:x-contentful-signed-headers,x-contentful-timestamp;x-contentful-timestamp:${ms}\n`;
      return {
        "x-contentful-signature": mac("sha256", secret, Buffer.concat([Buffer.from(canonical), body]), "hex"),
        "x-contentful-signed-headers": "x-contentful-signed-headers,x-contentful-timestamp",
        "x-contentful-timestamp": ms,
      };
    },
    secrets: ["a".repeat(64), "b".repeat(64)],
    timestampHeader: "x-contentful-timestamp",
    timeFormat: "unix-ms",
    malformed: bad("x-contentful-signature", "ab".repeat(31), "zz".repeat(32)),
  },
};

/** The known-answer vector of a preset: the reference signer over a fixed body at `T`. */
export function referenceVector(name: string, reference: PresetReference) {
  const secret = reference.secrets[0];
  const unsigned = Buffer.from(reference.vectorBody ?? BODY);
  const body = reference.signBody === undefined ? unsigned : reference.signBody(secret, unsigned, T, ID);
  return {
    origin: `${name}'s documented scheme, signed with node:crypto`,
    secret,
    body: body.toString("utf8"),
    /** The body before the signature was written in (fields schemes); the producer signs this. */
    unsigned: unsigned.toString("utf8"),
    timestampS: T,
    id: ID,
    headers: reference.sign(secret, body, T, ID, TEST_URL),
  };
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
