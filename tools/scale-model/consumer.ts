// What a queue consumer can deliver: each invocation delivers its batch six messages at a time
// (src/delivery/consume.ts → bounded.ts DELIVERIES_AT_ONCE, the Workers limit of six connections
// waiting for headers), so a batch takes ceil(batch / 6) endpoint round trips.
import { DELIVERIES_AT_ONCE } from "../../src/delivery/bounded";
import type { Settings } from "./settings";

/** Seconds one consumer invocation takes for a full batch. */
export function batchSeconds(batchSize: number, latencyMs: number): number {
  return Math.ceil(batchSize / DELIVERIES_AT_ONCE) * (latencyMs / 1000);
}

/** Messages per second one queue's consumer delivers at its concurrency. */
export function queueCapacityPerS(s: Settings, latencyMs: number): number {
  const { batchSize, concurrency } = s.consumer;
  return (concurrency * batchSize) / batchSeconds(batchSize, latencyMs);
}

/** Concurrent invocations one queue needs to keep up with `perS` messages. */
export function concurrencyNeeded(perS: number, s: Settings, latencyMs: number): number {
  return (perS * batchSeconds(s.consumer.batchSize, latencyMs)) / s.consumer.batchSize;
}

/** Probability that a batch of `size` messages holds at least one of a share `p` of them. */
export function batchHolds(p: number, size: number): number {
  return 1 - (1 - Math.min(1, Math.max(0, p))) ** size;
}
