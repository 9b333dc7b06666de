// An event accepted at ingress, as the use cases see it (verified, routed, with its message id).
import type { Endpoint, Rule, Source } from "../config/load";
import type { TraceContext } from "../core/trace";
import { SIGNATURE_HEADERS } from "../core/signatures";

export interface AcceptedEvent {
  messageId: string;
  trace: TraceContext;
  source: Source;
  eventType: string;
  rule: Rule;
  endpoint: Endpoint;
  /** The producer's key, when it sent one. */
  idempotencyKey: string | null;
  contentType: string | null;
  headers: Headers;
  body: Uint8Array;
  receivedAt: number;
  ordering: { key: string } | null;
}

/** Headers never passed through, whatever forward_headers says: credentials and every scheme's signature headers. */
const NEVER_FORWARD = new Set([
  "authorization", "cookie", "set-cookie", "proxy-authorization",
  ...SIGNATURE_HEADERS,
  "content-length", "host", "content-type", "traceparent", "tracestate",
]);

export function forwardedHeaders(rule: Rule, headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  for (const name of rule.forward_headers) {
    const lower = name.toLowerCase();
    if (NEVER_FORWARD.has(lower) || lower.startsWith("x-gateway-")) continue;
    const value = headers.get(name);
    if (value !== null) out.push([name, value]);
  }
  return out;
}
