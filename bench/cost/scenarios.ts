// What `npm run cost` sends: the benchmark's config plus routes for a 3-way fan-out, an endpoint that
// fails twice then succeeds, and one that always fails (dead letter after 3 attempts); and for each
// scenario the event (type, size, mode) and how many upstream calls one event makes.
import { benchConfig, KB, MB } from "../lib/fixtures";

export interface Scenario {
  id: string;
  title: string;
  eventType: string;
  bytes: number;
  /** Upstream calls one event causes once it is fully handled. */
  upstreamCalls: number;
  /** The status the ingress answers. */
  status: number;
}

export const SCENARIOS: Scenario[] = [
  { id: "async_1k", title: "async, 1 destination, 1 KB", eventType: "user.created", bytes: KB, upstreamCalls: 1, status: 202 },
  { id: "sync_1k", title: "sync call, 1 KB", eventType: "payment.authorize", bytes: KB, upstreamCalls: 1, status: 200 },
  { id: "async_1m", title: "async, 1 MB (R2 claim check)", eventType: "user.created", bytes: MB, upstreamCalls: 1, status: 202 },
  { id: "fanout3_1k", title: "fan-out to 3 destinations, 1 KB", eventType: "fan3.created", bytes: KB, upstreamCalls: 3, status: 202 },
  { id: "retry2_1k", title: "fails twice, then delivered, 1 KB", eventType: "flaky.created", bytes: KB, upstreamCalls: 3, status: 202 },
  { id: "dead_1k", title: "dead-lettered after 3 attempts, 1 KB", eventType: "doomed.created", bytes: KB, upstreamCalls: 3, status: 202 },
];

/** Share of successful attempt lines logged in the cost run (the gateway's default is 1). */
export const SUCCESS_LOG_SAMPLE_RATE = 0.1;

/** Retries 1 s apart (Queues carry whole seconds), and a breaker that never opens during the run. */
const PATIENT_BREAKER = { failure_threshold: 100_000, recovery_timeout_ms: 30_000, half_open_max_probes: 1 };

/**
 * benchConfig plus the cost scenarios' routes. `dedupWindowS` short, so each key's purge alarm runs
 * (and is counted) within the run instead of a day later.
 */
export function costConfig(upstreamUrl: string, dedupWindowS: number): Record<string, unknown> {
  const base = benchConfig(upstreamUrl) as { endpoints: Record<string, unknown>; routing_rules: unknown[] } & Record<string, unknown>;
  const signing = { signing_secrets: ["BENCH_SIGNING_SECRET"], circuit_breaker: PATIENT_BREAKER };
  return {
    ...base,
    dedup_window_s: dedupWindowS,
    // The setting for volume (README): 1 in 10 successful attempt lines; failures and ingress lines all.
    success_log_sample_rate: SUCCESS_LOG_SAMPLE_RATE,
    endpoints: {
      ...base.endpoints,
      flaky: { url: `${upstreamUrl}/flaky`, ...signing },
      doomed: { url: `${upstreamUrl}/fail`, ...signing },
    },
    routing_rules: [
      ...base.routing_rules,
      { event_type: "fan3.*", mode: "async", destinations: ["fan1", "fan2", "fan3"].map((endpoint) => ({ endpoint })) },
      { event_type: "flaky.*", mode: "async", endpoint: "flaky", retry_matrix: [1000, 1000, 1000] },
      { event_type: "doomed.*", mode: "async", endpoint: "doomed", retry_matrix: [1000, 1000], max_attempts: 3 },
    ],
  };
}
