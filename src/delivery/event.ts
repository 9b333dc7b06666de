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
  /** A sync rule's primary (called synchronously); for an async rule, the first destination taking it. */
  endpoint: Endpoint;
  /**
   * The destinations that get an asynchronous copy (docs/contract.md §5): every destination whose
   * filter matched on an async rule; on a sync rule the matching ones after the primary.
   */
  copies: readonly Endpoint[];
  /** Destinations of the rule whose filter left this event out. */
  filteredOut: readonly Endpoint[];
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
  "authorization",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  ...SIGNATURE_HEADERS,
  "content-length",
  "host",
  "content-type",
  "traceparent",
  "tracestate",
]);

/**
 * Headers that describe the body's bytes, forwarded with them whatever forward_headers says: a gzip
 * body is delivered (and signed) as received, so it must stay labelled as gzip.
 */
const BODY_HEADERS = ["Content-Encoding"];

/**
 * The producer's headers an event carries to its endpoint: the body's own headers, then the rule's
 * forward_headers (each name once). The queue envelope, dead letters and replays keep this list.
 */
export function forwardedHeaders(rule: Rule, headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const name of [...BODY_HEADERS, ...rule.forward_headers]) {
    const lower = name.toLowerCase();
    if (seen.has(lower) || NEVER_FORWARD.has(lower) || lower.startsWith("x-gateway-")) continue;
    seen.add(lower);
    const value = headers.get(name);
    if (value !== null) out.push([name, value]);
  }
  return out;
}
