// Text formats of the console pages: durations and ages, rates, latencies, times, and the body of a
// dead letter as pretty-printed JSON, text, or a hex dump, cut to a size that keeps pages small.

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

export function percent(rate: number | null): string {
  if (rate === null) return "–";
  const p = rate * 100;
  return `${Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)} %`;
}

export function millis(value: number | null): string {
  return value === null ? "–" : `${Math.round(value)} ms`;
}

/** `2026-11-03 14:05:09 UTC`. */
/** At most `max` characters, with an ellipsis when cut (the full value is on the detail page). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function utc(at: number | string | null): string {
  if (at === null) return "–";
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export interface ShownBody {
  kind: "json" | "text" | "hex" | "missing";
  text: string;
  /** Bytes (hex) or characters (text) left out to keep the page small. */
  omitted: number;
}

/** Largest body excerpt on a page: characters of text, bytes of a hex dump (about 4.3 characters each). */
export const MAX_TEXT_CHARS = 12_000;
export const MAX_HEX_BYTES = 2_048;

/** The body as the admin API returns it (`utf8` or `base64`), as the page shows it. */
export function showBody(body: string | null, encoding: "utf8" | "base64" | null): ShownBody {
  if (body === null || encoding === null) return { kind: "missing", text: "", omitted: 0 };
  if (encoding === "base64") {
    const binary = atob(body);
    const shown = Math.min(binary.length, MAX_HEX_BYTES);
    return { kind: "hex", text: hexDump(binary.slice(0, shown)), omitted: binary.length - shown };
  }
  let kind: ShownBody["kind"] = "text";
  let text = body;
  try {
    text = JSON.stringify(JSON.parse(body), null, 2);
    kind = "json";
  } catch {
    // not JSON: shown as text
  }
  return { kind, text: text.slice(0, MAX_TEXT_CHARS), omitted: Math.max(0, text.length - MAX_TEXT_CHARS) };
}

/** `00000010  7b 22 61 22 ...  |{"a"...|`, 16 bytes a line, from a binary string. */
export function hexDump(binary: string): string {
  const lines: string[] = [];
  for (let offset = 0; offset < binary.length; offset += 16) {
    const chunk = binary.slice(offset, offset + 16);
    let hex = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      const code = chunk.charCodeAt(i);
      hex += i < chunk.length ? `${code.toString(16).padStart(2, "0")} ` : "   ";
      if (i === 7) hex += " ";
      if (i < chunk.length) ascii += code >= 0x20 && code < 0x7f ? chunk[i] : ".";
    }
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`);
  }
  return lines.join("\n");
}
