// Every error the gateway answers, as a tagged union mapped once to RFC 9457 problem+json.
// The wire gets a fixed title and a safe detail; the precise reason goes to logs only.
import type { SchemaError } from "./event-schema";

export type Problem =
  | { kind: "config-invalid" }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" }
  | { kind: "unknown-source" }
  | { kind: "bad-request"; detail: string }
  | { kind: "payload-too-large"; limit: number }
  | { kind: "invalid-signature" }
  | { kind: "rate-limited"; retryAfterS: number; detail?: string }
  | { kind: "unknown-event-type" }
  | { kind: "unroutable-event"; eventType: string }
  | { kind: "idempotency-key-required" }
  | { kind: "ordering-key-missing"; orderingKey: string }
  | { kind: "schema-violation"; schema: string; errors: readonly SchemaError[] }
  | { kind: "transport-rejected"; detail: string }
  | { kind: "idempotency-key-reused" }
  | { kind: "unavailable"; retryAfterS: number; detail?: string }
  | { kind: "upstream-timeout"; timeoutMs: number }
  | { kind: "upstream-error"; detail: string }
  | { kind: "circuit-open"; retryAfterS: number }
  | { kind: "overloaded"; retryAfterS: number }
  | { kind: "endpoint-paused" }
  | { kind: "endpoint-quarantined" }
  | { kind: "unauthorized" }
  | { kind: "forbidden"; needed: string }
  | { kind: "invalid-input"; detail: string }
  | { kind: "conflict"; detail: string }
  | { kind: "unknown-endpoint"; name: string }
  | { kind: "unknown-dead-letter" }
  | { kind: "unknown-silence" }
  | { kind: "unsupported-media-type"; detail: string }
  | { kind: "internal" };

export interface ProblemWire {
  status: number;
  body: { type: string; title: string; status: number; detail: string; trace_id: string; errors?: readonly SchemaError[] };
  headers: Record<string, string>;
}

export const PROBLEM_TYPE_BASE = "https://hookgate.dev/problems/";

export function toWire(problem: Problem, traceId: string): ProblemWire {
  const [status, title, detail, headers] = describe(problem);
  const body: ProblemWire["body"] = { type: PROBLEM_TYPE_BASE + problem.kind, title, status, detail, trace_id: traceId };
  if (problem.kind === "schema-violation") body.errors = problem.errors;
  return { status, body, headers };
}

type Described = [status: number, title: string, detail: string, headers: Record<string, string>];

function describe(p: Problem): Described {
  switch (p.kind) {
    case "config-invalid":
      return [500, "Gateway configuration is invalid", "The gateway's configuration failed validation; the operator has been told in the logs.", {}];
    case "method-not-allowed":
      return [405, "Method not allowed", "Webhook ingress accepts POST only.", { Allow: "POST" }];
    case "not-found":
      return [404, "Not found", "No such route.", {}];
    case "unknown-source":
      return [404, "Unknown source", "No source with this name is configured.", {}];
    case "bad-request":
      return [400, "Bad request", p.detail, {}];
    case "payload-too-large":
      return [413, "Payload too large", `The body exceeds the limit of ${p.limit} bytes.`, {}];
    case "invalid-signature":
      return [401, "Invalid signature", "The request could not be verified.", {}];
    case "rate-limited":
      return [429, "Too many requests", p.detail ?? "Rate limit exceeded; retry later.", { "Retry-After": String(p.retryAfterS) }];
    case "unknown-event-type":
      return [422, "Unknown event type", "No event type was found in the path, the event type header or the body.", {}];
    case "unroutable-event":
      return [422, "Unroutable event", `No routing rule matches event type "${p.eventType}".`, {}];
    case "idempotency-key-required":
      return [400, "Idempotency key required", "Sync routes need an X-Idempotency-Key (or webhook-id) header.", {}];
    case "ordering-key-missing":
      return [422, "Ordering key missing", `The ordering key ${p.orderingKey} is absent from the event.`, {}];
    case "schema-violation":
      return [422, "Schema violation", `The event does not match the schema "${p.schema}" of its route.`, {}];
    case "transport-rejected":
      return [403, "Transport rejected", p.detail, {}];
    case "idempotency-key-reused":
      return [409, "Idempotency key reused", "This idempotency key was already used with a different body.", {}];
    case "unavailable":
      return [503, "Service unavailable", p.detail ?? "The event could not be accepted; retry later.", { "Retry-After": String(p.retryAfterS) }];
    case "upstream-timeout":
      return [504, "Upstream timeout", `The endpoint did not answer within ${p.timeoutMs} ms.`, {}];
    case "upstream-error":
      return [502, "Upstream error", p.detail, {}];
    case "circuit-open":
      return [503, "Circuit open", "The endpoint's circuit breaker is open; retry later.", { "Retry-After": String(p.retryAfterS) }];
    case "overloaded":
      return [503, "Overloaded", "The endpoint is at its concurrency limit; retry later.", { "Retry-After": String(p.retryAfterS) }];
    case "endpoint-paused":
      return [503, "Endpoint paused", "The endpoint is paused by an operator; retry later.", { "Retry-After": "60" }];
    case "endpoint-quarantined":
      return [503, "Endpoint quarantined", "The endpoint is quarantined after failing for too long; retry later.", { "Retry-After": "300" }];
    case "unauthorized":
      return [401, "Unauthorized", "A valid bearer token is required.", { "WWW-Authenticate": 'Bearer realm="hookgate-admin"' }];
    case "forbidden":
      return [403, "Forbidden", `This action needs the "${p.needed}" scope.`, {}];
    case "invalid-input":
      return [400, "Invalid input", p.detail, {}];
    case "conflict":
      return [409, "Conflict", p.detail, {}];
    case "unknown-endpoint":
      return [404, "Unknown endpoint", `No endpoint named "${p.name}" is configured.`, {}];
    case "unknown-dead-letter":
      return [404, "Unknown dead letter", "No dead letter with this id.", {}];
    case "unknown-silence":
      return [404, "Unknown silence", "No active silence with this id.", {}];
    case "unsupported-media-type":
      return [415, "Unsupported media type", p.detail, {}];
    case "internal":
      return [500, "Internal error", "An unexpected error occurred; it has been logged.", {}];
    default: {
      const unreachable: never = p;
      return unreachable;
    }
  }
}
