// The outage scenario's rows: the simulation (outage.ts) run with a setting's consumers, guard policy
// and dead-letter batching, for an endpoint that is down and for one that refuses everything (4xx).
import { batchHolds, concurrencyNeeded, queueCapacityPerS } from "./consumer";
import { LIMITS, TARGETS } from "./limits";
import { simulateOutage, type OutageResult } from "./outage";
import { guardCallsPerS, guardIntervalMs } from "./pending";
import { maxQueueShare, OBJ, Q, row, type Row } from "./rows";
import type { Settings, Workload } from "./settings";

export function outageRun(w: Workload, s: Settings, rejecting: boolean): OutageResult {
  const hotShare = w.hotPerS / w.totalPerS;
  const capacity = queueCapacityPerS(s, w.endpointLatencyMs) * s.queues * hotShare;
  // Only consumer invocations call an async endpoint: they report failures and ask a half-open object.
  const consumers = s.queues * Math.min(s.consumer.concurrency, concurrencyNeeded((w.totalPerS / s.queues) * 1.01, s, w.endpointLatencyMs));
  const callers = (w.hotIngressUsesGuard ? w.isolates : 0) + consumers;
  const queueWrites = w.totalPerS * (1 + w.failShare);
  const baseline = guardCallsPerS(s.guard, callers, w.hotPerS, (queueWrites / s.consumer.batchSize) * batchHolds(hotShare, s.consumer.batchSize));
  return simulateOutage({
    ratePerS: w.hotPerS,
    outageS: w.outageS,
    capacityPerS: Math.floor(capacity),
    propagationS: 1,
    callers: Math.ceil(consumers),
    baselineGuardPerS: baseline,
    breaker: w.breaker,
    policy: w.policy,
    halfOpenAsk: s.halfOpenAsk,
    failureReports: s.failureReports,
    intervalS: guardIntervalMs(s.guard, callers) / 1000,
    perBatch: s.consumer.batchSize * hotShare,
    rowsPerCall: s.deadLetterRowsPerCall,
    rejecting,
    maxS: w.outageS + 3_600,
  });
}

export function outageRows(w: Workload, s: Settings): Row[] {
  const run = outageRun(w, s, false);
  const during = run.seconds.filter((x) => x.t < w.outageS);
  const peak = (pick: (x: (typeof during)[number]) => number, xs = run.seconds) => Math.max(0, ...xs.map(pick));
  const mean = (pick: (x: (typeof during)[number]) => number, xs = during) => xs.reduce((a, x) => a + pick(x), 0) / Math.max(1, xs.length);
  const others = (w.totalPerS - w.hotPerS) * (1 + w.failShare);
  const perQueue = (x: (typeof during)[number]) => (x.queueWrites + others) * maxQueueShare(s.queues);
  const reject = outageRun(w, s, true).seconds.filter((x) => x.t < w.outageS);
  const code = "delivery/attempt.ts → core/guard-policy admission, core/breaker, core/outcome decide, core/retry";
  return [
    row(
      "outage",
      "D1 dead-letter round trips, mean over the outage",
      "calls/s",
      mean((x) => x.d1Calls),
      LIMITS.d1QueriesPerS.value,
      TARGETS.d1OutageStatementsPerS,
      `${code}; delivery/dead-letter.ts`,
    ),
    row(
      "outage",
      "D1 dead-letter round trips, peak second",
      "calls/s",
      peak((x) => x.d1Calls),
      LIMITS.d1QueriesPerS.value,
      TARGETS.d1OutageStatementsPerS,
      "delivery/dead-letter.ts",
    ),
    row("outage", "events dead-lettered in all", "events", run.deadLettered, null, null, "core/outcome decide (attempts spent only by calls made)"),
    row(
      "outage",
      "queue, the fullest, peak second (ingress + waits + retries)",
      "msg/s",
      peak(perQueue),
      Q,
      TARGETS.queueMessagesPerS,
      "delivery/consume.ts re-enqueue (wait, retry)",
    ),
    row(
      "outage",
      "guard of the hot endpoint, trip second (failure reports)",
      "calls/s",
      peak((x) => x.tripReports),
      OBJ,
      TARGETS.objectCallsPerS,
      "adapters/endpoint-guard-client.ts → core/guard-policy failureReportAtOnce (today: every failure at once)",
    ),
    row(
      "outage",
      "guard of the hot endpoint, half-open seconds (asks for a probe)",
      "calls/s",
      peak((x) => x.halfOpenAsks),
      OBJ,
      TARGETS.objectCallsPerS,
      "core/guard-policy admission → mayAskObject (today: every waiting delivery asks) → adapters/endpoint-guard-client.ts",
    ),
    row(
      "outage",
      "guard of the hot endpoint, mean over the outage",
      "calls/s",
      mean((x) => x.guardCalls),
      OBJ,
      TARGETS.objectCallsPerS,
      "adapters/endpoint-guard-client.ts",
    ),
    row(
      "outage",
      "backlog per queue at its peak",
      "bytes",
      (run.peakBacklog * w.envelopeBytes) / s.queues,
      LIMITS.queueBacklogBytes.value,
      null,
      "Queues hold waiting events (delivery/attempt.ts wait)",
    ),
    row("outage", "drained after the endpoint is back", "s", run.drainedAtS === null ? Infinity : run.drainedAtS - w.outageS, null, null, "consumer capacity (wrangler.toml)"),
    row(
      "outage, endpoint answers 400",
      "D1 dead-letter round trips, mean",
      "calls/s",
      mean((x) => x.d1Calls, reject),
      LIMITS.d1QueriesPerS.value,
      TARGETS.d1OutageStatementsPerS,
      "core/outcome (4xx: dead letter at once) → delivery/dead-letter.ts",
    ),
  ];
}
