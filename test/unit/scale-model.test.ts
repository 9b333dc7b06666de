// The load model's pure parts (tools/scale-model): the Zipf split, the shard spread through the real
// shardOf, the consumer arithmetic, the flags against limits, and the outage simulation's invariants.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { batchSeconds, concurrencyNeeded, queueCapacityPerS } from "../../tools/scale-model/consumer";
import { LIMITS, TARGETS, verdict } from "../../tools/scale-model/limits";
import { allRows, outageRun, steadyRows } from "../../tools/scale-model/model";
import { deadLetterCalls, guardCallsPerS, guardIntervalMs, queueIndexOf, recommendedDedupShards } from "../../tools/scale-model/pending";
import { AFTER, AFTER_GUARD, TODAY, WORKLOAD } from "../../tools/scale-model/settings";
import { sampleKeys, spread } from "../../tools/scale-model/spread";
import { exponentForTopShare, harmonic, zipfSplit } from "../../tools/scale-model/zipf";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe("zipf split", () => {
  it("sums to the total and puts the issue's 20k/s on the hottest of 200 routes", () => {
    const s = exponentForTopShare(200, 20_000 / 50_000);
    const rates = zipfSplit(50_000, 200, s);
    expect(rates).toHaveLength(200);
    expect(sum(rates)).toBeCloseTo(50_000, 6);
    expect(rates[0]).toBeCloseTo(20_000, 3);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1] ?? Infinity);
  });

  it("is even at exponent 0 and needs no skew when the top share is 1/n", () => {
    expect(zipfSplit(100, 4, 0)).toEqual([25, 25, 25, 25]);
    expect(exponentForTopShare(4, 0.25)).toBe(0);
    expect(harmonic(3, 1)).toBeCloseTo(1 + 1 / 2 + 1 / 3, 12);
  });
});

describe("spread over shards and queues", () => {
  it("puts every key somewhere and finds the fullest bucket's share", () => {
    const keys = sampleKeys(10_000);
    const s = spread(keys, 64);
    expect(s.maxShare).toBeGreaterThanOrEqual(1 / 64);
    expect(s.loadFactor).toBeGreaterThanOrEqual(1);
    expect(s.loadFactor).toBeLessThan(1.3); // SHA-256 prefixes spread evenly
    expect(spread(keys, 1).maxShare).toBe(1);
  });

  it("weights keys by their rate (one hot ordering key fills its queue)", () => {
    const keys = ["a", "b", "c", "d"];
    const s = spread(keys, 8, [97, 1, 1, 1], queueIndexOf);
    expect(s.maxShare).toBeGreaterThanOrEqual(0.97);
  });

  it("keeps a key in one queue and spreads over all K", () => {
    expect(queueIndexOf("key:order-1", 16)).toBe(queueIndexOf("key:order-1", 16));
    expect(queueIndexOf("anything", 1)).toBe(0);
    const used = new Set(sampleKeys(2_000).map((k) => queueIndexOf(k, 16)));
    expect(used.size).toBe(16);
  });
});

describe("the mechanisms i20c builds (pending.ts)", () => {
  it("chooses dedup shards from the rate, never below today's 64", () => {
    expect(recommendedDedupShards(1_000)).toBe(64);
    expect(recommendedDedupShards(50_000)).toBe(256);
    expect(recommendedDedupShards(500_000)).toBe(2048);
  });

  it("bounds the guard's fan-in with the adaptive interval and counts one call per batch today", () => {
    expect(guardCallsPerS(TODAY.guard, 2_000, 20_000, 2_000)).toBe(4_000);
    expect(guardCallsPerS(AFTER.guard, 2_000, 20_000, 2_000)).toBeCloseTo(400, 6);
    expect(guardIntervalMs(AFTER.guard, 100)).toBe(1_000); // few callers: still once a second
    expect(guardIntervalMs(AFTER.guard, 1_000_000)).toBe(10_000); // capped
    expect(guardCallsPerS(TODAY.guard, 2_000, 50, 0)).toBe(50); // never more calls than events
  });

  it("batches dead-letter rows per D1 round trip", () => {
    expect(deadLetterCalls(0, 100)).toBe(0);
    expect(deadLetterCalls(250, 1)).toBe(250);
    expect(deadLetterCalls(250, 100)).toBe(3);
  });
});

describe("consumer arithmetic", () => {
  it("counts 6 connections per invocation", () => {
    expect(batchSeconds(10, 200)).toBeCloseTo(0.4, 12); // 2 rounds of 6
    expect(batchSeconds(100, 200)).toBeCloseTo(3.4, 12); // 17 rounds
    expect(queueCapacityPerS(TODAY, 200)).toBeCloseTo(500, 6);
    expect(concurrencyNeeded(queueCapacityPerS(AFTER, 200), AFTER, 200)).toBeCloseTo(AFTER.consumer.concurrency, 6);
  });
});

describe("consumer settings", () => {
  it("are what wrangler.toml ships: every delivery queue's consumer runs the model's after batch size and concurrency", () => {
    const config = unstable_readConfig({ config: path.join(import.meta.dirname, "../../wrangler.toml") });
    const consumers: readonly { queue: string; max_batch_size?: number; max_concurrency?: number | null }[] = config.queues.consumers ?? [];
    const delivery = consumers.filter((c) => !c.queue.endsWith("-dlq"));
    expect(delivery.length).toBeGreaterThan(0);
    for (const c of delivery) expect({ batchSize: c.max_batch_size, concurrency: c.max_concurrency }, c.queue).toEqual(AFTER.consumer);
    expect(AFTER_GUARD.consumer).toEqual(AFTER.consumer);
  });
});

describe("flags", () => {
  it("fire above the limit, warn above the target, pass below both", () => {
    expect(verdict(1_001, 1_000, 500)).toBe("OVER LIMIT");
    expect(verdict(501, 1_000, 500)).toBe("over target");
    expect(verdict(500, 1_000, 500)).toBe("ok");
  });

  it("flag today's hot spots at 50k events/s and clear the issue's targets after", () => {
    const today = steadyRows(WORKLOAD, TODAY);
    const dedup = (rows: typeof today) => rows.find((r) => r.what.startsWith("dedup shard"));
    const queue = (rows: typeof today) => rows.find((r) => r.what === "queue, the fullest");
    expect(dedup(today)?.verdict).toBe("OVER LIMIT");
    expect(queue(today)?.value).toBeGreaterThan(LIMITS.queueMessagesPerS.value);
    const after = allRows(WORKLOAD, AFTER_GUARD).filter((r) => r.scenario === "steady" || r.scenario === "outage");
    const objects = after.filter((x) => x.unit === "calls/s" && x.limit === LIMITS.objectRequestsPerS.value);
    // Every object, the source rate limiter included (demand-sized leases, i20g), within the target.
    for (const r of objects) expect(r.value, r.what).toBeLessThanOrEqual(TARGETS.objectCallsPerS + 1e-9);
    expect(objects.find((x) => x.what.includes("rate limiter"))?.value).toBeLessThan(300);
    expect(allRows(WORKLOAD, AFTER).find((x) => x.what.includes("rate limiter"))?.verdict).toBe("OVER LIMIT");
    for (const r of after.filter((x) => x.unit === "msg/s")) expect(r.value, r.what).toBeLessThanOrEqual(TARGETS.queueMessagesPerS);
    for (const r of after.filter((x) => x.what.startsWith("D1"))) expect(r.value, r.what).toBeLessThanOrEqual(TARGETS.d1OutageStatementsPerS);
  });
});

describe("outage simulation", () => {
  it("delivers every event once the endpoint is back: nothing lost, no D1 storm while the breaker holds them", () => {
    const run = outageRun({ ...WORKLOAD, outageS: 120 }, AFTER_GUARD, false);
    expect(run.drainedAtS).not.toBeNull();
    const accepted = WORKLOAD.hotPerS * run.seconds.length;
    const delivered = sum(run.seconds.map((s) => s.delivered));
    const last = run.seconds[run.seconds.length - 1];
    expect(delivered + run.deadLettered + (last?.backlog ?? 0)).toBe(accepted);
    expect(run.deadLettered).toBe(0);
    expect(run.seconds.some((s) => s.breaker === "open")).toBe(true);
  });

  it("dead-letters every event at once when the endpoint refuses them (4xx), batched per round trip", () => {
    const w = { ...WORKLOAD, outageS: 30 };
    const today = outageRun(w, TODAY, true).seconds.slice(0, 30);
    const after = outageRun(w, AFTER, true).seconds.slice(0, 30);
    expect(sum(today.map((s) => s.d1Calls))).toBe(sum(today.map((s) => s.d1Rows)));
    // One transaction per consumer batch: the hot route's share of a batch of AFTER.consumer.batchSize (25 → 10 rows).
    const rowsPerBatch = AFTER.consumer.batchSize * (WORKLOAD.hotPerS / WORKLOAD.totalPerS);
    expect(sum(after.map((s) => s.d1Calls))).toBeLessThanOrEqual(sum(after.map((s) => s.d1Rows)) / rowsPerBatch);
  });
});
