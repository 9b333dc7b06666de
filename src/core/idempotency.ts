// Which idempotency key a request carries (docs/contract.md §2): X-Idempotency-Key, the source's own header,
// then the providers' delivery ids from the scheme registry. (A key's shard: core/dedup-shards.ts.)
import { DELIVERY_ID_HEADERS, schemeOf, type SchemeName } from "./signatures/registry";

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `from`: the header (or `body:<field>`) the key came from. `signed`: the source's signature covers
 * it (its scheme's own delivery id, when the scheme signs that), so it cannot change without a new
 * signature.
 */
export type KeyResult = { kind: "none" } | { kind: "key"; key: string; from: string; signed: boolean } | { kind: "invalid"; header: string };

export interface KeySources {
  headers: Headers;
  idempotencyHeader: string | undefined;
  scheme: SchemeName;
  /** Lazily parsed JSON body (for delivery ids in the body, like Stripe's event id). */
  json: () => unknown;
}

export function findIdempotencyKey(s: KeySources): KeyResult {
  const own = schemeOf(s.scheme).deliveryId;
  const ownHeader = own !== undefined && "header" in own && own.signed ? own.header.toLowerCase() : undefined;
  const presetHeader = own !== undefined && "header" in own && !DELIVERY_ID_HEADERS.includes(own.header) ? own.header : undefined;
  const candidates = ["X-Idempotency-Key", s.idempotencyHeader, ...DELIVERY_ID_HEADERS, presetHeader];
  for (const header of candidates) {
    if (header === undefined) continue;
    const value = s.headers.get(header);
    if (value === null) continue;
    const trimmed = value.trim();
    if (!KEY.test(trimmed)) return { kind: "invalid", header };
    return { kind: "key", key: trimmed, from: header, signed: header.toLowerCase() === ownHeader };
  }
  if (own !== undefined && "bodyField" in own) {
    const id = stringAt(s.json(), own.bodyField);
    if (id !== undefined && KEY.test(id)) return { kind: "key", key: id, from: `body:${own.bodyField}`, signed: own.signed };
  }
  return { kind: "none" };
}

/** The string at a dot path of the JSON body (a number or anything else is no key). */
function stringAt(json: unknown, path: string): string | undefined {
  let current = json;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return typeof current === "string" ? current : undefined;
}
