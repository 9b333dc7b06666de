// W3C Trace Context: parse an incoming `traceparent`, format child ones for outbound calls.

export interface TraceContext {
  traceId: string;
  /** The span id of the caller (from the incoming traceparent), if any. */
  parentSpanId: string | undefined;
  /** This hop's own span id. */
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(header: string | null | undefined): { traceId: string; parentSpanId: string; sampled: boolean } | undefined {
  if (header === null || header === undefined) return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (m === null) return undefined;
  const [, version, trace, parent, flags] = m;
  if (version === undefined || trace === undefined || parent === undefined || flags === undefined) return undefined;
  if (version === "ff" || /^0+$/.test(trace) || /^0+$/.test(parent)) return undefined;
  return { traceId: trace, parentSpanId: parent, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}
