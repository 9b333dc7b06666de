// `npm run cost`'s arithmetic (bench/cost/pricing.ts, counts.ts) and its price table's shape: every
// price cites a Cloudflare page and the date it was read; quantities × prices give $ per million events.
import { describe, expect, it } from "vitest";
import pricesJson from "../../bench/prices.json";
import { derive, observabilityOf } from "../../bench/cost/counts";
import { costPerMillion, METERS, pricesOn, type Meter, type Price, type PriceTable } from "../../bench/cost/pricing";

const table = pricesJson as unknown as PriceTable;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function price(meter: Meter, usd: number, per: number, extra: Partial<Price> = {}): Price {
  return { meter, what: meter, usd, per, included_monthly: 0, source: "https://developers.cloudflare.com/x/", date: "2026-11-30", ...extra };
}

describe("bench/prices.json", () => {
  it("cites a Cloudflare page and the date it was read for every price", () => {
    expect(table.prices.length).toBeGreaterThan(10);
    for (const p of table.prices) {
      expect(METERS, p.meter).toContain(p.meter);
      expect(p.source, p.meter).toMatch(/^https:\/\/developers\.cloudflare\.com\/.+\/$/);
      expect(p.date, p.meter).toMatch(DAY);
      expect(p.usd, p.meter).toBeGreaterThan(0);
      expect(p.per, p.meter).toBeGreaterThan(0);
      expect(p.included_monthly, p.meter).toBeGreaterThanOrEqual(0);
      for (const bound of [p.from, p.until]) if (bound !== undefined) expect(bound, p.meter).toMatch(DAY);
    }
  });

  it("gives sourced, dated constants and states its own assumptions", () => {
    for (const [name, c] of Object.entries(table.constants)) {
      expect(c.source, name).toBeTruthy();
      expect(c.date, name).toMatch(DAY);
      expect(Number.isFinite(c.value), name).toBe(true);
    }
    for (const [name, a] of Object.entries(table.assumptions)) expect(a.what.length, name).toBeGreaterThan(10);
  });

  it("prices every meter once on each pricing date: log events until 30 November 2026, log GB after", () => {
    const before = pricesOn(table, "2026-11-30");
    const after = pricesOn(table, "2026-12-01");
    expect(before.has("logs.events")).toBe(true);
    expect(before.has("observability.ingest_gb")).toBe(false);
    expect(after.has("logs.events")).toBe(false);
    expect(after.has("observability.ingest_gb")).toBe(true);
    const common = METERS.filter((m) => !m.startsWith("logs.") && !m.startsWith("observability."));
    for (const m of common) {
      expect(before.has(m), m).toBe(true);
      expect(after.get(m), m).toBe(before.get(m));
    }
  });

  it("puts the queue-based floor (one request, three queue operations) at $1.50 per million", () => {
    const cost = costPerMillion({ "workers.requests": 1, "queues.operations": 3 }, pricesOn(table, "2026-11-30"));
    expect(cost.usdPerMillionEvents).toBeCloseTo(1.5, 10);
  });
});

describe("costPerMillion", () => {
  it("multiplies each quantity per event by its price per unit, per million events", () => {
    const prices = new Map<Meter, Price>([
      ["do.rows_written", price("do.rows_written", 1, 1_000_000)],
      ["r2.storage_gb_month", price("r2.storage_gb_month", 0.015, 1)],
    ]);
    const cost = costPerMillion({ "do.rows_written": 6, "r2.storage_gb_month": 2e-6 }, prices);
    expect(cost.lines.find((l) => l.meter === "do.rows_written")?.usdPerMillionEvents).toBeCloseTo(6, 10);
    expect(cost.lines.find((l) => l.meter === "r2.storage_gb_month")?.usdPerMillionEvents).toBeCloseTo(0.03, 10);
    expect(cost.usdPerMillionEvents).toBeCloseTo(6.03, 10);
    expect(cost.unpriced).toEqual([]);
  });

  it("reports a quantity without a price that day instead of charging it silently", () => {
    const cost = costPerMillion({ "logs.events": 4, "workers.requests": 1 }, new Map([["workers.requests", price("workers.requests", 0.3, 1_000_000)]]));
    expect(cost.usdPerMillionEvents).toBeCloseTo(0.3, 10);
    expect(cost.unpriced).toEqual(["logs.events"]);
  });

  it("picks a price by its from/until dates and refuses two prices for one meter on one day", () => {
    const t: PriceTable = {
      ...table,
      prices: [price("logs.events", 0.6, 1e6, { until: "2026-11-30" }), price("logs.events", 0.9, 1e6, { from: "2026-12-01" })],
    };
    expect(pricesOn(t, "2026-11-30").get("logs.events")?.usd).toBe(0.6);
    expect(pricesOn(t, "2026-12-01").get("logs.events")?.usd).toBe(0.9);
    expect(() => pricesOn({ ...t, prices: [price("logs.events", 0.6, 1e6), price("logs.events", 0.9, 1e6)] }, "2026-11-30")).toThrow(/two prices/);
  });
});

describe("derive", () => {
  it("turns a window's raw counters into quantities per event", () => {
    const raw = {
      "worker.requests.fetch": 10,
      "worker.requests.queue": 1,
      "do.requests.IdempotencyShard.claim": 10,
      "do.requests.IdempotencyShard.complete": 10,
      "do.wall_ms.IdempotencyShard": 1000,
      "do.rows_read.IdempotencyShard": 30,
      "do.rows_written.IdempotencyShard": 40,
      "do.set_alarm.IdempotencyShard": 10,
      "do_ddl.rows_written.IdempotencyShard": 99,
      "queue.write_ops.DELIVERY_QUEUE": 10,
      "queue.read_ops.hookgate-delivery": 10,
      "queue.delete_ops.hookgate-delivery": 10,
      "queue.send_calls": 10,
      "logs.lines": 20,
      "logs.bytes": 4000,
    };
    const { perEvent, ops } = derive(raw, 10, 20, table, { invocationLogs: true, logsSampling: 1, tracesSampling: 0.1 });
    expect(ops.workerRequests).toBeCloseTo(1.1, 10);
    expect(ops.queueInvocations).toBeCloseTo(0.1, 10);
    expect(perEvent["workers.cpu_ms"]).toBe(2);
    expect(perEvent["do.requests"]).toBe(2);
    // setAlarm is a row written; schema statements (first run of an object) are not counted.
    expect(perEvent["do.rows_written"]).toBe(5);
    expect(perEvent["do.rows_read"]).toBe(3);
    expect(perEvent["do.duration_gb_s"]).toBeCloseTo(0.1 * 0.128, 10);
    expect(perEvent["queues.operations"]).toBe(3);
    // One execution log per invocation (1.1 Worker + 2 DO), 2 console lines, 10 % of the spans.
    const spans = 0.1 * (1.1 + 2 + 1);
    expect(perEvent["logs.events"]).toBeCloseTo(3.1 + 2 + spans, 10);
    const bytes = 3.1 * 1500 + 400 + 2 * 400 + spans * 500;
    expect(perEvent["observability.ingest_gb"]).toBeCloseTo(bytes / 1e9, 15);
    expect(perEvent["observability.storage_gb_month"]).toBeCloseTo(((bytes / 1e9) * 7) / 30, 15);
  });

  it("counts no execution logs with invocation logs off, and samples logs and spans as wrangler.toml says", () => {
    const raw = { "worker.requests.fetch": 10, "do.requests.IdempotencyShard.claim": 10, "logs.lines": 10, "logs.bytes": 1000 };
    const off = derive(raw, 10, 0, table, { invocationLogs: false, logsSampling: 1, tracesSampling: 0 });
    expect(off.ops.executionLogs).toBe(0);
    expect(off.perEvent["logs.events"]).toBe(1);
    const sampled = derive(raw, 10, 0, table, { invocationLogs: true, logsSampling: 0.5, tracesSampling: 0.01 });
    expect(sampled.ops.executionLogs).toBe(1);
    expect(sampled.ops.consoleLines).toBe(0.5);
    expect(sampled.ops.traceSpans).toBeCloseTo(0.02, 10);
  });
});

describe("observabilityOf", () => {
  it("reads wrangler's observability block with Cloudflare's defaults", () => {
    expect(observabilityOf(undefined)).toEqual({ invocationLogs: true, logsSampling: 0, tracesSampling: 0 });
    expect(observabilityOf({ enabled: true, head_sampling_rate: 0.5 })).toEqual({ invocationLogs: true, logsSampling: 0.5, tracesSampling: 0 });
    expect(observabilityOf({ enabled: true, logs: { enabled: true, invocation_logs: false, head_sampling_rate: 1 }, traces: { enabled: true, head_sampling_rate: 0.01 } })).toEqual(
      {
        invocationLogs: false,
        logsSampling: 1,
        tracesSampling: 0.01,
      },
    );
    expect(observabilityOf({ enabled: true, logs: { enabled: false } })).toEqual({ invocationLogs: true, logsSampling: 0, tracesSampling: 0 });
  });
});
