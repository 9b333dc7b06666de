// Structured logs: one JSON object per line, picked up as-is by Workers Logs. Callers pass ids,
// names and numbers only: never bodies, secrets or endpoint URLs with their query.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

let sink: LogSink = consoleSink;

/** Tests capture lines by swapping the sink. */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? consoleSink;
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  const record: Record<string, unknown> = { level, event, ts: new Date().toISOString() };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) record[key] = value;
  sink(JSON.stringify(record), level);
}

/**
 * Whether a per-attempt line is logged under `success_log_sample_rate`: failures (`ok` false) always
 * are, successes with that probability. Its fields for the line: `sample_rate` when below 1, so a
 * pipeline can weigh each kept line by 1 / rate.
 */
export function sampleSuccess(ok: boolean, rate: number, random: () => number): Sample {
  if (!ok || rate >= 1) return { keep: true, fields: {} };
  return { keep: random() < rate, fields: { sample_rate: rate } };
}

export interface Sample {
  keep: boolean;
  fields: LogFields;
}

/** `log`, for a line `sampleSuccess` decided on. */
export function logSampled(sample: Sample, level: LogLevel, event: string, fields: LogFields): void {
  if (sample.keep) log(level, event, { ...fields, ...sample.fields });
}

/** An error's message without its stack, safe for logs (bindings are never interpolated into messages). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/**
 * The span of one outbound call, flattened into its log line with the source document's OpenTelemetry (docs/source/)
 * attribute names, so a log pipeline can rebuild spans: `span.id` is the span id sent in the
 * call's `traceparent`, `span.parent_id` the ingress span it descends from.
 */
export function spanFields(s: {
  name: "webhook.delivery" | "webhook.sync_call";
  spanId: string;
  parentSpanId: string;
  eventType: string;
  endpoint: string;
  attempt: number;
  ok: boolean;
}): LogFields {
  return {
    "span.name": s.name,
    "span.id": s.spanId,
    "span.parent_id": s.parentSpanId,
    "span.status": s.ok ? "ok" : "error",
    "span.status_message": s.ok ? "delivered" : "delivery_failed",
    "event.type": s.eventType,
    "consumer.endpoint": s.endpoint,
    "retry.attempt": s.attempt,
  };
}
