// What the soak sends and where: the gateway config (a signed source, an async route to a sink with
// a breaker and a bounded backlog, and a rarer route whose endpoint refuses every event, so dead
// letters are written all along), and the consumer's behaviour (healthy, or the sink failing).
import type { Behaviour } from "../consumer/server";

export const SINK_PATH = "/hooks/sink";
export const STRICT_PATH = "/hooks/strict";

/**
 * `maxBacklog`: the local queue broker keeps every delayed message in a timer and workerd allows
 * 10,000 per object, so the route's own backlog bound (`max_backlog`, answered 503) keeps an
 * outage's waiting events below that. `dedupWindowS`: how long keys stay in the dedup store; a short
 * window lets the purge keep the stored keys bounded, so a memory trend is not the data growing.
 */
export function soakConfig(consumerUrl: string, maxBacklog: number, dedupWindowS = 86_400): unknown {
  return {
    max_body_bytes: 1024 * 1024,
    allow_private_networks: true,
    dedup_window_s: dedupWindowS,
    sources: {
      soak: { verify: { scheme: "standard-webhooks", secrets: ["SOAK_SECRET"], tolerance_s: 300 }, event_type_header: "X-Event-Type", event_type_field: "type" },
    },
    endpoints: {
      sink: {
        url: `${consumerUrl}${SINK_PATH}`,
        signing_secrets: ["SOAK_SIGNING_SECRET"],
        circuit_breaker: { failure_threshold: 5, recovery_timeout_ms: 1000, half_open_max_probes: 1 },
      },
      strict: { url: `${consumerUrl}${STRICT_PATH}`, signing_secrets: ["SOAK_SIGNING_SECRET"] },
    },
    routing_rules: [
      { event_type: "user.*", mode: "async", endpoint: "sink", max_backlog: maxBacklog },
      { event_type: "audit.*", mode: "async", endpoint: "strict" },
    ],
  };
}

/** Healthy: the sink answers 200; the strict endpoint refuses everything (400: dead letter at once). */
export function behaviour(sinkFailing: boolean): Behaviour {
  return {
    paths: {
      [SINK_PATH]: sinkFailing ? { failRate: 1, failStatus: 503 } : { status: 200 },
      [STRICT_PATH]: { status: 400 },
    },
  };
}
