// Timestamp formats providers sign: unix seconds, unix milliseconds, RFC 3339. Parsing is strict
// (bounded digits, a full date-time with zone) and pure; formatting is what producers send.

export type TimeFormat = "unix-s" | "unix-ms" | "rfc3339";

const UNIX_S = /^[0-9]{1,12}$/;
const UNIX_MS = /^[0-9]{1,15}$/;
const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/** Unix seconds (possibly fractional) of a timestamp text, or null when it is not in `format`. */
export function parseTime(text: string, format: TimeFormat): number | null {
  if (format === "unix-s") return UNIX_S.test(text) ? Number(text) : null;
  if (format === "unix-ms") return UNIX_MS.test(text) ? Number(text) / 1000 : null;
  if (!RFC3339.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/** The text a producer sends for `timestampS` in `format`. */
export function timeText(timestampS: number, format: TimeFormat): string {
  if (format === "unix-s") return String(timestampS);
  if (format === "unix-ms") return String(timestampS * 1000);
  return new Date(timestampS * 1000).toISOString().replace(".000Z", "Z");
}
