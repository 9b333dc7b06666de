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

/** An error's message without its stack, safe for logs (bindings are never interpolated into messages). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}
