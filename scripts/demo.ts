// `npm run demo`: sends one signed sample event per verification scheme (and a sync call) to the
// local gateway started by `npm start`, and prints what came back. `npm run demo -- <preset>` sends
// one signed sample of that provider preset (for example `npm run demo -- twilio`).
import { randomUUID } from "node:crypto";
import { privateKeyVar, readDevVars } from "./lib/dev-vars";
import { producerBody, producerHeaders, SCHEME_NAMES, schemeOf, type SchemeName } from "../src/core/signatures";
import { parseConfig } from "../src/config/load";

const base = process.env["HOOKGATE_URL"] ?? "http://127.0.0.1:8787";
const vars = readDevVars();

interface Sample {
  title: string;
  source: string;
  scheme: SchemeName;
  secret: string;
  path?: string;
  headers?: Record<string, string>;
  body: unknown;
}

const samples: Sample[] = [
  {
    title: "Standard Webhooks, async",
    source: "acme",
    scheme: "standard-webhooks",
    secret: "ACME_SECRET",
    body: { type: "user.created", user_id: "u_1", email: "ada@example.com" },
  },
  {
    title: "Standard Webhooks, ordered by user_id",
    source: "acme",
    scheme: "standard-webhooks",
    secret: "ACME_SECRET",
    body: { type: "user.profile.updated", user_id: "u_1", name: "Ada" },
  },
  {
    title: "Standard Webhooks, sync (payment.authorize)",
    source: "acme",
    scheme: "standard-webhooks",
    secret: "ACME_SECRET",
    body: { type: "payment.authorize", amount: 4200, currency: "EUR" },
  },
  {
    title: "hmac-sha256-hex (the source document's scheme)",
    source: "legacy",
    scheme: "hmac-sha256-hex",
    secret: "LEGACY_SECRET",
    path: "/order.created",
    headers: { "X-Idempotency-Key": randomUUID() },
    body: { order: 17 },
  },
  {
    title: "Stripe",
    source: "stripe",
    scheme: "stripe",
    secret: "STRIPE_WEBHOOK_SECRET",
    body: { id: `evt_${randomUUID().slice(0, 12)}`, type: "invoice.paid", data: { object: { id: "in_1" } } },
  },
  { title: "GitHub", source: "github", scheme: "github", secret: "GITHUB_WEBHOOK_SECRET", headers: { "X-GitHub-Event": "push" }, body: { ref: "refs/heads/main" } },
  {
    title: "Shopify",
    source: "shopify",
    scheme: "shopify",
    secret: "SHOPIFY_WEBHOOK_SECRET",
    headers: { "X-Shopify-Topic": "orders/create" },
    body: { id: 820982911, admin_graphql_api_id: "gid://shopify/Order/820982911" },
  },
  { title: "Slack", source: "slack", scheme: "slack", secret: "SLACK_SIGNING_SECRET", body: { type: "event_callback", event: { type: "message" } } },
];

async function send(sample: Sample): Promise<void> {
  const secret = vars[sample.secret];
  if (secret === undefined) throw new Error(`${sample.secret} is missing from .dev.vars: run npm start first`);
  const raw = new TextEncoder().encode(JSON.stringify(sample.body));
  const url = `${base}/webhooks/${sample.source}${sample.path ?? ""}`;
  const request = { secret, body: raw, timestampS: Math.floor(Date.now() / 1000), id: `msg_${randomUUID()}`, deliveryIdHeader: true, url };
  // Mailgun and Adyen carry their signature in the body: the producer writes it in.
  const body = await producerBody(sample.scheme, request);
  const signed = await producerHeaders(sample.scheme, { ...request, body });
  const headers = { "Content-Type": "application/json", ...signed, ...sample.headers };
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  const extra = ["X-Fallback", "X-Downstream-Latency"].flatMap((h) => (res.headers.get(h) ? [`${h}: ${res.headers.get(h)}`] : []));
  console.log(`${res.status}  ${sample.title}\n      POST ${url}\n      ${text}${extra.length ? `\n      ${extra.join("  ")}` : ""}`);
}

/** One sample for a preset: the demo config's source of that scheme, its binding, a body it routes. */
function presetSample(scheme: SchemeName): Sample {
  const parsed = parseConfig(vars["GATEWAY_CONFIG"] ?? "");
  if (!parsed.ok) throw new Error("GATEWAY_CONFIG in .dev.vars is missing or invalid: run npm start first");
  const source = [...parsed.config.sources.values()].find((s) => s.verify.scheme === scheme);
  const binding = source?.verify.secrets[0]?.binding;
  if (source === undefined || binding === undefined) throw new Error(`no source of scheme ${scheme} in the running config`);
  const secret = schemeOf(scheme).secretFormat === "public-key" ? privateKeyVar(binding) : binding;
  // The event type rides in the path, so the sample routes whatever the preset's default source.
  return { title: `${scheme} preset`, source: source.name, scheme, secret, path: `/demo.${scheme}`, body: { type: `demo.${scheme}`, id: `evt_${randomUUID()}` } };
}

async function main(): Promise<void> {
  try {
    await fetch(`${base}/health`);
  } catch {
    console.error(`No gateway at ${base}. Start it with: npm start`);
    process.exit(1);
  }
  const preset = process.argv[2];
  if (preset !== undefined) {
    if (!(SCHEME_NAMES as readonly string[]).includes(preset) || preset === "none") {
      console.error(`Unknown preset ${preset}. One of: ${SCHEME_NAMES.filter((n) => n !== "none").join(", ")}`);
      process.exit(2);
    }
    await send(presetSample(preset as SchemeName));
    return;
  }
  for (const sample of samples) await send(sample);
  // A bad signature: always the same 401, whatever was wrong.
  const res = await fetch(`${base}/webhooks/acme`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "webhook-id": "msg_x", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" },
    body: "{}",
  });
  console.log(`${res.status}  A forged request is refused\n      ${await res.text()}`);
}

await main();
