// Micro-benchmark of the content filter (src/core/filter.ts): a 20-condition filter that passes (so
// every condition runs) on a 1 KB and a 100 KB JSON event, with the one JSON.parse and without it.
// CPU time per evaluation from process.cpuUsage, median of 5 rounds. Run alone with `npx tsx bench/filter.ts`.
import { pathToFileURL } from "node:url";
import { compileFilter, matches, type CompiledFilter, type FilterSubject } from "../src/core/filter";
import { KB } from "./lib/fixtures";

export interface FilterBenchResult {
  name: string;
  bytes: number;
  /** CPU per evaluation, µs. */
  cpuUs: number;
}

/** 20 conditions over body paths, headers, event type and source, all true for `invoiceEvent`. */
export const TWENTY_CONDITIONS = {
  event_type: { $startsWith: "invoice." },
  source: "stripe",
  "headers.x-region": { $in: ["eu", "ch"] },
  "body.livemode": true,
  "body.data.object.amount_paid": { $gte: 10_000 },
  "body.data.object.amount_due": { $lt: 1_000_000 },
  "body.data.object.currency": { $in: ["eur", "chf", "gbp"] },
  "body.data.object.customer": { $startsWith: "cus_" },
  "body.data.object.customer_email": { $endsWith: "@example.com" },
  "body.data.object.status": { $neq: "void" },
  "body.data.object.created": { $gt: 1_700_000_000 },
  "body.data.object.metadata.plan": { $nin: ["free", "trial"] },
  "body.data.object.metadata.tier": { $exists: true },
  "body.data.object.lines.data.0.price.id": { $startsWith: "price_" },
  "body.data.object.lines.data.0.quantity": { $gte: 1 },
  "body.data.object.tags": { $contains: "priority" },
  "body.data.object.period_end": { $gt: "2026-01-01T00:00:00Z" },
  "body.data.object.discount": null,
  $or: [{ "body.data.object.billing_reason": "subscription_cycle" }, { "headers.x-test": { $exists: true } }],
  $not: { "body.data.object.customer_address.country": { $in: ["KP", "IR"] } },
};

function line(i: number): unknown {
  return { id: `il_${i}`, amount: 1000 + i, currency: "eur", description: `Seat ${i} of the annual plan`, price: { id: `price_${i}`, unit_amount: 1000 }, quantity: 1 };
}

/** A Stripe-like invoice.paid event of about `size` bytes (its lines pad it). */
export function invoiceEvent(size: number): string {
  const lines: unknown[] = [];
  const event = {
    id: "evt_1",
    type: "invoice.paid",
    livemode: true,
    data: {
      object: {
        id: "in_1",
        amount_paid: 12_500,
        amount_due: 12_500,
        currency: "eur",
        customer: "cus_42",
        customer_email: "ada@example.com",
        status: "paid",
        created: 1_767_225_600,
        period_end: "2026-02-01T00:00:00Z",
        billing_reason: "subscription_cycle",
        discount: null,
        metadata: { plan: "pro", tier: "gold" },
        tags: ["priority", "eu"],
        customer_address: { country: "DE", city: "Berlin" },
        lines: { object: "list", data: lines },
      },
    },
  };
  let text = JSON.stringify(event);
  for (let i = 0; text.length < size; i++) {
    lines.push(line(i));
    text = JSON.stringify(event);
  }
  return text;
}

const ROUNDS = 5;

/** The median of ROUNDS timed rounds: the machine running it is often shared. */
function measure(name: string, bytes: number, iterations: number, fn: () => boolean): FilterBenchResult {
  for (let i = 0; i < Math.min(200, iterations); i++) if (!fn()) throw new Error(`filter benchmark: ${name} did not match`);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    let matched = 0;
    for (let i = 0; i < iterations; i++) if (fn()) matched++;
    const used = process.cpuUsage(before);
    if (matched !== iterations) throw new Error(`filter benchmark: ${name} matched ${matched} of ${iterations}`);
    rounds.push((used.user + used.system) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return { name, bytes, cpuUs: rounds[Math.floor(ROUNDS / 2)] ?? Number.NaN };
}

const headers = new Headers({ "x-region": "eu", "content-type": "application/json" });

function subjectOf(json: () => unknown): FilterSubject {
  return { eventType: "invoice.paid", source: "stripe", header: (name) => headers.get(name), json };
}

export function filterBenchmarks(): FilterBenchResult[] {
  const compiled = compileFilter(TWENTY_CONDITIONS);
  if (!compiled.ok) throw new Error(`filter benchmark: the filter does not compile: ${JSON.stringify(compiled.problems)}`);
  const filter: CompiledFilter = compiled.filter;
  const out: FilterBenchResult[] = [];
  for (const [size, iterations] of [
    [KB, 20_000],
    [100 * KB, 300],
  ] as const) {
    const text = invoiceEvent(size);
    const bytes = new TextEncoder().encode(text);
    const label = size === KB ? "1 KB" : "100 KB";
    const parsed: unknown = JSON.parse(text);
    const preParsed = subjectOf(() => parsed);
    out.push(measure(`JSON.parse alone, ${label}`, bytes.length, iterations, () => JSON.parse(new TextDecoder().decode(bytes)) !== null));
    out.push(
      measure(`20-condition filter incl. the JSON.parse, ${label}`, bytes.length, iterations, () => {
        // As ingress does it: a lazy parser, memoised per request, from the body bytes.
        let memo: { value: unknown } | undefined;
        return matches(
          filter,
          subjectOf(() => (memo ??= { value: JSON.parse(new TextDecoder().decode(bytes)) }).value),
        );
      }),
    );
    out.push(measure(`20-condition filter, body already parsed, ${label}`, bytes.length, iterations * 10, () => matches(filter, preParsed)));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const r of filterBenchmarks()) console.log(`${r.name.padEnd(56)} ${String(r.bytes).padStart(7)} B ${r.cpuUs.toFixed(2).padStart(9)} µs/evaluation`);
}
