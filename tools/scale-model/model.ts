// The scenarios of issue 20 as rows: for each object, queue and store the rate a setting produces,
// against Cloudflare's limit and the target, with the code path the figure comes from.
import { batchHolds, concurrencyNeeded, queueCapacityPerS } from "./consumer";
import { LIMITS, TARGETS } from "./limits";
import { outageRows } from "./outage-rows";
import { guardCallsPerS, guardIntervalMs, queueIndexOf, rateLimiterCallsPerS } from "./pending";
import { maxQueueShare, maxShare, OBJ, Q, row, type Row } from "./rows";
import type { Settings, Workload } from "./settings";
import { harmonic, exponentForTopShare, zipfSplit } from "./zipf";
import { sampleKeys, spread } from "./spread";

export type { Row };
export { maxShare, maxQueueShare };
export { outageRun } from "./outage-rows";
interface Traffic {
  totalPerS: number;
  hotPerS: number;
}

/** The rows every steady-state traffic level shares (steady and burst). */
function trafficRows(scenario: string, w: Workload, s: Settings, t: Traffic): Row[] {
  const hotShare = t.hotPerS / t.totalPerS;
  const queueWrites = t.totalPerS * (1 + w.failShare);
  const perQueue = queueWrites * maxQueueShare(s.queues);
  const batchesPerS = queueWrites / s.consumer.batchSize;
  const consumerCallers = Math.min(s.queues * s.consumer.concurrency, s.queues * concurrencyNeeded(perQueue, s, w.endpointLatencyMs));
  const callers = (w.hotIngressUsesGuard ? w.isolates : 0) + consumerCallers;
  const hotBatches = batchesPerS * batchHolds(hotShare, s.consumer.batchSize);
  const guard = guardCallsPerS(s.guard, callers, t.hotPerS, hotBatches);
  const capacity = queueCapacityPerS(s, w.endpointLatencyMs);
  const rejectRows = t.totalPerS * w.rejectShare;
  const d1 = s.deadLetterRowsPerCall === 1 ? rejectRows : batchesPerS * batchHolds(w.rejectShare, s.consumer.batchSize);
  const rows: Row[] = [
    row(
      scenario,
      "dedup shard, the fullest",
      "calls/s",
      t.totalPerS * w.dedupCallsPerEvent * maxShare(s.dedupShards),
      OBJ,
      TARGETS.objectCallsPerS,
      "delivery/accept-send-first.ts reserve (+ own riding) + delivery/owner-check.ts (or dispatch.ts claim+complete) → adapters/idempotency-store.ts → core/dedup-shards.ts shardIndexOf",
    ),
    row(
      scenario,
      "guard of the hot endpoint",
      "calls/s",
      guard,
      OBJ,
      TARGETS.objectCallsPerS,
      "adapters/endpoint-guard-client.ts (timed flush, view refresh), delivery/consume.ts (flush per batch)",
    ),
    row(
      scenario,
      "view age at isolates not calling (pause, reset, in-flight sums; a trip reaches callers with their failure reports)",
      "s",
      guardIntervalMs(s.guard, callers) / 1000,
      null,
      1,
      "adapters/endpoint-guard-client.ts CACHE_TTL_MS; docs/breaker.md",
    ),
  ];
  if (w.hotSourceLimit !== null) {
    rows.push(
      row(
        scenario,
        "rate limiter of the hot source",
        "calls/s",
        rateLimiterCallsPerS(s.rateLeases, w.hotSourceLimit, w.isolates, t.hotPerS / w.isolates),
        OBJ,
        TARGETS.objectCallsPerS,
        "adapters/rate-limit-client.ts → core/token-bucket.ts planLease, nextAskAt (today: 1 s leases, leaseSize ≤ 100)",
      ),
    );
  }
  rows.push(
    row(scenario, "queue, the fullest", "msg/s", perQueue, Q, TARGETS.queueMessagesPerS, "delivery/enqueue.ts + consume.ts re-enqueue → adapters/queue.ts"),
    row(
      scenario,
      "consumers busy (fullest queue's rate / its consumers' capacity)",
      "share",
      perQueue / capacity,
      1,
      null,
      "wrangler.toml [[queues.consumers]]; delivery/consume.ts → bounded.ts (6 at a time)",
    ),
    row(
      scenario,
      "consumer invocations needed per queue",
      "concurrent",
      concurrencyNeeded(perQueue, s, w.endpointLatencyMs),
      LIMITS.queueConcurrency.value,
      null,
      "wrangler.toml max_concurrency",
    ),
    row(scenario, "D1 dead-letter round trips (4xx refusals)", "calls/s", d1, LIMITS.d1QueriesPerS.value, null, "delivery/dead-letter.ts → adapters/d1 dead-letter store"),
    row(
      scenario,
      "R2 claim-check operations (put, get per attempt, delete)",
      "ops/s",
      t.totalPerS * w.largeBodyShare * (2 + 1 + w.failShare),
      null,
      null,
      "delivery/enqueue.ts bodyRef → adapters/payload-store.ts",
    ),
  );
  return rows;
}

export function steadyRows(w: Workload, s: Settings): Row[] {
  const rates = zipfSplit(w.totalPerS, w.routes, exponentForTopShare(w.routes, w.hotPerS / w.totalPerS));
  return trafficRows("steady", w, s, { totalPerS: rates.reduce((a, b) => a + b, 0), hotPerS: rates[0] ?? 0 });
}

export function burstRows(w: Workload, s: Settings): Row[] {
  const t = { totalPerS: w.totalPerS * w.burstFactor, hotPerS: w.hotPerS * w.burstFactor };
  const rows = trafficRows("burst", w, s, t);
  const capacity = queueCapacityPerS(s, w.endpointLatencyMs) * s.queues;
  const backlog = Math.max(0, t.totalPerS - capacity) * w.burstS;
  rows.push(row("burst", `backlog after ${w.burstS} s`, "messages", backlog, null, null, "wrangler.toml consumers; Queues absorb what consumers cannot take"));
  return rows;
}

export function orderedRows(w: Workload, s: Settings): Row[] {
  const keys = sampleKeys(w.orderedKeys, "order_");
  const uniform = w.hotPerS / w.orderedKeys;
  const zipfTop = w.hotPerS / harmonic(w.orderedKeys, 1);
  const callers = w.orderedKeys; // every stream object flushes to the guard after its alarm
  const alarmsPerS = w.hotPerS;
  const guard = s.guard.kind === "fixed" ? alarmsPerS : guardCallsPerS(s.guard, callers, alarmsPerS, 0);
  const byKey = spread(
    keys.map((k) => `key:${k}`),
    s.queues,
    new Array<number>(keys.length).fill(uniform),
    queueIndexOf,
  ).maxShare;
  return [
    row(
      "ordered",
      "ordered stream object, keys evenly (accept + delivery step)",
      "calls/s",
      uniform * 2,
      OBJ,
      TARGETS.objectCallsPerS,
      "delivery/ordered.ts accept → objects/ordered-stream.ts alarm",
    ),
    row(
      "ordered",
      "one key's delivery, one at a time (rate × endpoint latency)",
      "busy share",
      uniform * (w.endpointLatencyMs / 1000),
      1,
      null,
      "objects/ordered-stream.ts (head of line)",
    ),
    row("ordered", "hottest key if keys follow Zipf s=1 (accept + delivery step)", "calls/s", zipfTop * 2, OBJ, TARGETS.objectCallsPerS, "one key = one object by design"),
    row("ordered", "guard of the hot endpoint (flush after every alarm)", "calls/s", guard, OBJ, TARGETS.objectCallsPerS, "objects/ordered-stream.ts → guard flush per alarm"),
    row(
      "ordered",
      "queue by ordering key, the fullest",
      "msg/s",
      w.hotPerS * byKey + (w.totalPerS - w.hotPerS) * maxQueueShare(s.queues),
      Q,
      TARGETS.queueMessagesPerS,
      "i20c: queue by hash of the ordering key",
    ),
  ];
}

export function allRows(w: Workload, s: Settings): Row[] {
  return [...steadyRows(w, s), ...outageRows(w, s), ...burstRows(w, s), ...orderedRows(w, s)];
}
