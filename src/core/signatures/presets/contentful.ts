// Contentful webhook request verification (https://www.contentful.com/developers/docs/webhooks/request-verification/):
// `x-contentful-signature` is the hex HMAC-SHA256 of the canonical request `{method}\n{path}\n{headers}\n{body}`,
// headers being the `x-contentful-signed-headers` list as sorted `name:value` pairs joined by ";".
import { checkTolerance, fail, matchSecrets, producerMac } from "../common";
import { decodeHex, toHex } from "../hmac";
import { parseTime } from "./time";
import { defineScheme, type VerifyInput, type VerifyResult } from "../types";

const NAME = "contentful";
const SIGNATURE = "x-contentful-signature";
const SIGNED_HEADERS = "x-contentful-signed-headers";
const TIMESTAMP = "x-contentful-timestamp";
const MAX_SIGNED_HEADERS = 64;

/**
 * The request path as Contentful's toolkit canonicalises it: path and query split at the first `?`,
 * the query escaped as a whole (so `=` and `&` become `%3D`, `%26`), then the result URI-encoded.
 */
export function canonicalPath(url: string): string | null {
  try {
    const parsed = new URL(url);
    const [pathname = "", search] = `${parsed.pathname}${parsed.search}`.split("?");
    const escaped = search === undefined || search === "" ? "" : encodeURIComponent(search);
    return encodeURI(escaped === "" ? pathname : `${pathname}?${escaped}`);
  } catch {
    return null;
  }
}

/** The signed headers part: each listed header present (names as listed, values trimmed), plus the two Contentful headers, sorted. */
function headerPart(headers: Headers, listed: readonly string[], timestampText: string): string {
  const picked = new Map<string, string>();
  for (const name of listed) {
    const value = name === name.toLowerCase().trim() ? headers.get(name) : null;
    if (value !== null) picked.set(name, value.trim());
  }
  picked.set(TIMESTAMP, timestampText);
  picked.set(SIGNED_HEADERS, "");
  const names = [...picked.keys()].sort();
  picked.set(SIGNED_HEADERS, names.join(","));
  return names.map((name) => `${name}:${picked.get(name) ?? ""}`).join(";");
}

async function verify(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get(SIGNATURE);
  const listed = input.headers.get(SIGNED_HEADERS);
  const timestamp = input.headers.get(TIMESTAMP);
  if (signature === null || listed === null || timestamp === null) return fail("missing_header");
  const mac = signature.length === 64 ? decodeHex(signature) : null;
  const names = listed.split(",");
  if (mac === null || names.length > MAX_SIGNED_HEADERS) return fail("malformed_header");
  const timestampS = parseTime(timestamp, "unix-ms");
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);
  if (input.url === undefined) return fail("no_url");
  const path = canonicalPath(input.url);
  if (path === null) return fail("no_url");
  const prefix = `${input.method ?? "POST"}\n${path}\n${headerPart(input.headers, names, String(Number(timestamp)))}\n`;
  return matchSecrets({ scheme: NAME, secrets: input.secrets, decoding: "utf8", prefix, body: input.body, candidates: [mac] });
}

export const contentful = defineScheme({
  name: NAME,
  verify,
  secretFormat: "text",
  signatureHeaders: [SIGNATURE, SIGNED_HEADERS, TIMESTAMP],
  eventTypeHeader: "X-Contentful-Topic",
  // The producer signs its two own headers; Contentful may list more (each must then arrive unchanged).
  sign: async ({ secret, body, timestampS, url }) => {
    const timestamp = String(timestampS * 1000);
    const path = canonicalPath(url ?? "https://gateway.invalid/") ?? "/";
    const headers = new Headers({ [TIMESTAMP]: timestamp });
    const prefix = `POST\n${path}\n${headerPart(headers, [], timestamp)}\n`;
    return {
      [SIGNATURE]: toHex(await producerMac(secret, "utf8", prefix, body)),
      [SIGNED_HEADERS]: `${SIGNED_HEADERS},${TIMESTAMP}`,
      [TIMESTAMP]: timestamp,
    };
  },
});
