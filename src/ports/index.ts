// The ports the use cases run against, built once per invocation by the entry (src/wiring.ts) from the
// Worker's bindings: use cases never see `env`. Tests build them from in-memory adapters or bindings.
import type { Background, Runtime } from "../runtime";
import type { EndpointGuardPort } from "./guard";
import type { HttpSender } from "./http";
import type { IdempotencyStore } from "./idempotency";
import type { Metrics } from "./metrics";
import type { OrderingPort } from "./ordering";
import type { PayloadStore } from "./payloads";
import type { DeliveryQueue } from "./queue";
import type { AdminRateLimit, RateLimiter } from "./rate-limit";
import type { Secrets } from "./secrets";
import type { SilenceStore } from "./silences";
import type { AlertStore, DeadLetterStore, FallbackStore } from "./storage";
import type { AuditStore } from "./audit";
import type { JwksSource } from "./access";
import type { Documents } from "./documents";

export interface Ports {
  /** Time and randomness. */
  clock: Runtime;
  /** Work that may finish after the response (ctx.waitUntil). */
  background: Background;
  secrets: Secrets;
  queue: DeliveryQueue;
  payloads: PayloadStore;
  deadLetters: DeadLetterStore;
  fallbacks: FallbackStore;
  alerts: AlertStore;
  silences: SilenceStore;
  idempotency: IdempotencyStore;
  guard: EndpointGuardPort;
  ordering: OrderingPort;
  http: HttpSender;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  adminRateLimit: AdminRateLimit;
  /** Who did what on the admin API and console. */
  audit: AuditStore;
  /** Cloudflare Access signing keys (cached per isolate above it). */
  jwks: JwksSource;
  /** Build-time documents shipped beside the Worker (the admin OpenAPI document). */
  documents: Documents;
}
