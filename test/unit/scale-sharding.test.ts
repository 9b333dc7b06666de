// The pure scale functions: queue shard choice by id and by ordering key, dedup shard choice during
// a re-shard (old shard stays the authority until `until`), the shard count a rate needs, and the
// config's scale settings with their problems.
import { describe, expect, it } from "vitest";
import { hash32, queueBindingFor, queueBindingNames, queueIndexOf } from "../../src/core/queue-shard";
import { dedupShardsOf, recommendedDedupShards, shardIndexOf } from "../../src/core/dedup-shards";
import { parseConfig } from "../../src/config/load";

const hex = (n: number) => n.toString(16).padStart(8, "0") + "0".repeat(56);

function config(extra: Record<string, unknown>) {
  return parseConfig({
    sources: { open: { verify: { scheme: "none", secrets: [] } } },
    endpoints: { e: { url: "https://hooks.example.com/x" } },
    routing_rules: [{ event_type: "a.*", mode: "async", endpoint: "e" }],
    ...extra,
  });
}

describe("queue shards", () => {
  it("spreads 10,000 message ids within ±10 % of even over 8 queues", () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const at = queueIndexOf(`msg_${i.toString(36)}_2ZCkq`, 8);
      counts[at] = (counts[at] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 1250)).toBeLessThan(125);
  });

  it("names shard 0 after the base and the others BASE_i; K=1 is the base alone", () => {
    expect(queueBindingNames("DELIVERY_QUEUE", 3)).toEqual(["DELIVERY_QUEUE", "DELIVERY_QUEUE_1", "DELIVERY_QUEUE_2"]);
    expect(queueBindingFor({ id: "m1", queue: "Q", ordering: null }, 1)).toBe("Q");
  });

  it("routes by the ordering key when there is one, so one key's messages share a queue", () => {
    const a = queueBindingFor({ id: "m1", queue: "Q", ordering: { key: "k" } }, 16);
    const b = queueBindingFor({ id: "m2", queue: "Q", ordering: { key: "k" } }, 16);
    expect(a).toBe(b);
    expect(hash32("abc")).toBe(0x1a47e90b);
  });
});

describe("dedup shards", () => {
  const until = 1_000_000;
  const sharding = { shards: 128, previous: { shards: 64, until } };

  it("keeps the old shard as the authority and mirrors into the new one until `until`", () => {
    const key = hex(64 + 5); // 69 % 64 = 5, 69 % 128 = 69
    expect(dedupShardsOf(key, sharding, until - 1)).toEqual({ authority: "idem-5", mirror: "idem-69" });
    expect(dedupShardsOf(key, sharding, until)).toEqual({ authority: "idem-69", mirror: null });
  });

  it("claims once when the old and the new shard are the same object", () => {
    expect(dedupShardsOf(hex(5), sharding, 0)).toEqual({ authority: "idem-5", mirror: null });
  });

  it("uses the configured count alone without a re-shard", () => {
    expect(dedupShardsOf(hex(300), { shards: 256, previous: null }, 0).authority).toBe(`idem-${shardIndexOf(hex(300), 256)}`);
  });

  it("recommends a power of two that keeps each shard at or under 500 calls/s", () => {
    expect(recommendedDedupShards(1_000)).toBe(64);
    expect(recommendedDedupShards(50_000)).toBe(256); // 100,000 calls/s ÷ 500 = 200 → 256
    expect(recommendedDedupShards(50_000, 1)).toBe(128);
  });
});

describe("scale settings in the config", () => {
  it("loads queue_shards and a dedup re-shard", () => {
    const loaded = config({ queue_shards: { DELIVERY_QUEUE: 4 }, dedup: { shards: 256, previous_shards: 64, until: "2026-12-01T00:00:00Z" } });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.queueShards.get("DELIVERY_QUEUE")).toBe(4);
    expect(loaded.config.dedup).toEqual({ shards: 256, previous: { shards: 64, until: Date.parse("2026-12-01T00:00:00Z") } });
  });

  it("defaults to 64 dedup shards and unsharded queues", () => {
    const loaded = config({});
    expect(loaded.ok && loaded.config.dedup).toEqual({ shards: 64, previous: null });
  });

  it.each([
    [{ queue_shards: { OTHER_QUEUE: 2 } }, "queue_shards.OTHER_QUEUE: no routing rule sends to this queue binding"],
    [{ queue_shards: { DELIVERY_QUEUE: 33 } }, "queue_shards.DELIVERY_QUEUE: must be an integer from 1 to 32"],
    [{ dedup: { shards: 128, previous_shards: 64 } }, "dedup.until: a re-shard gives both previous_shards and until"],
    [{ dedup: { shards: 64, previous_shards: 64, until: "2026-12-01T00:00:00Z" } }, "dedup.previous_shards: equals shards"],
    [{ dedup: { shards: 64, expected_events_per_s: 50_000 } }, "dedup.shards: 50000 events/s needs at least 256 shards"],
  ])("refuses %j", (extra, problem) => {
    const loaded = config(extra);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.join("\n")).toContain(problem);
  });
});
