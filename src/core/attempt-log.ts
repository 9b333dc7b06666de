// One attempt as the endpoint's attempt log keeps it (docs/contract.md §7): the outcome name of a
// result, and the response excerpt (first 1 KiB, UTF-8 text or base64).
import type { AttemptResult } from "./outcome";

/** The bytes of an endpoint's answer kept per attempt. */
export const EXCERPT_BYTES = 1024;

export type AttemptOutcomeName = "delivered" | "rejected" | "failed" | "timeout" | "network_error";

export interface AttemptRecord {
  messageId: string;
  source: string;
  eventType: string;
  attempt: number;
  status: number | null;
  outcome: AttemptOutcomeName;
  error: string | null;
  excerpt: string | null;
  excerptEncoding: "utf8" | "base64" | null;
  /** now − accepted_at when the attempt started. */
  lagMs: number;
}

export function outcomeName(result: AttemptResult): AttemptOutcomeName {
  switch (result.kind) {
    case "response":
      if (result.status >= 200 && result.status < 300) return "delivered";
      if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429) return "rejected";
      return "failed";
    case "timeout":
      return "timeout";
    case "network_error":
      return "network_error";
    case "blocked_url":
    case "breaker_open":
      return "failed";
  }
}

/**
 * The first EXCERPT_BYTES of a body as text when they are UTF-8 (a character cut by the limit is
 * dropped), else as base64; null for no body.
 */
export function excerptOf(bytes: Uint8Array | null, truncated: boolean): { excerpt: string | null; encoding: "utf8" | "base64" | null } {
  if (bytes === null || bytes.length === 0) return { excerpt: null, encoding: null };
  const head = bytes.subarray(0, EXCERPT_BYTES);
  const cut = truncated || bytes.length > EXCERPT_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  for (let drop = 0; drop <= (cut ? 3 : 0) && drop < head.length; drop++) {
    try {
      return { excerpt: decoder.decode(head.subarray(0, head.length - drop)), encoding: "utf8" };
    } catch {
      // try without the last bytes (a character cut in half), then give up
    }
  }
  let binary = "";
  for (const b of head) binary += String.fromCharCode(b);
  return { excerpt: btoa(binary), encoding: "base64" };
}
