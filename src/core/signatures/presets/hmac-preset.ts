// The shape most providers share: an HMAC of the raw body (with an optional signed timestamp, id or
// URL around it) in one header, hex or base64, optionally behind a `sha256=` prefix or in a
// `t=...,v1=...` list. A preset states those facts; this builds its verifier, signer and descriptor.
import { checkTolerance, fail, matchSecrets, producerMac, splitEntries, splitPair } from "../common";
import { decodeBase64, decodeHex, encodeBase64, MAC_BYTES, toHex, type HashName, type SecretDecoding } from "../hmac";
import { parseTime, timeText, type TimeFormat } from "./time";
import {
  defineScheme,
  type DeliveryIdSource,
  type HandshakeAnswer,
  type HandshakeRequest,
  type RegistrationRequest,
  type SchemeDescriptor,
  type VerifyInput,
  type VerifyResult,
} from "../types";

/** What the signed message holds around the body, from the request's signed parts. */
export interface SignedParts {
  /** The timestamp exactly as sent ("" when the scheme has none). */
  timestamp: string;
  /** The id header's value ("" when the scheme has none). */
  id: string;
  url: string;
  method: string;
}

export interface HmacPresetSpec<N extends string> {
  name: N;
  /** SHA-256 unless named. */
  hash?: HashName;
  /** How the secret string becomes key bytes; UTF-8 unless named. */
  key?: SecretDecoding;
  secretFormat?: "text" | "whsec-base64";
  /** The signature header, as the provider spells it. */
  header: string;
  /** A second header with the same kind of signature (Box's secondary key); either may match. */
  alternateHeader?: string;
  encoding: "hex" | "base64";
  /** Text before the MAC in the header (`sha256=`). */
  macPrefix?: string;
  /** A list header: `t=<ts>,v1=<mac>` (Stripe-like) or `v1,<mac> v1,<mac>` (Standard Webhooks). */
  list?: { separator: string; delimiter: string; macKey: string; timestampKey?: string };
  /** A signed timestamp: in its own header, or in the list (no header). */
  timestamp?: { header?: string; format: TimeFormat };
  /** Headers the provider always sends with these values (Box's signature version): required, and sent by the producer. */
  fixedHeaders?: Readonly<Record<string, string>>;
  /** A header whose value is signed (Twitch's message id, Svix's `svix-id`). */
  idHeader?: string;
  /** Signed text before and after the body; the body alone unless given. */
  message?: (parts: SignedParts) => { prefix: string; suffix?: string };
  /** The message covers the request URL, so verification needs it. */
  signsUrl?: boolean;
  eventTypeHeader?: string;
  eventTypeField?: string;
  deliveryId?: DeliveryIdSource;
  handshake?: (request: HandshakeRequest) => Promise<HandshakeAnswer | null>;
  registration?: (request: RegistrationRequest) => HandshakeAnswer | null;
}

const MAX_ID_LENGTH = 256;

export function hmacPreset<const N extends string>(spec: HmacPresetSpec<N>): SchemeDescriptor<N> {
  const hash = spec.hash ?? "SHA-256";
  const decoding = spec.key ?? "utf8";
  const macLength = MAC_BYTES[hash];
  const fixed = Object.entries(spec.fixedHeaders ?? {});

  function decodeMac(text: string): Uint8Array | null {
    const mac = spec.encoding === "hex" ? (text.length === macLength * 2 ? decodeHex(text) : null) : decodeBase64(text);
    return mac !== null && mac.length === macLength ? mac : null;
  }

  /** The candidate MACs and the list's timestamp; null when the header is malformed. */
  function parse(value: string): { macs: Uint8Array[]; timestamp: string | undefined } | "too_many" | null {
    const list = spec.list;
    if (list === undefined) {
      const prefix = spec.macPrefix ?? "";
      if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return null;
      const mac = decodeMac(value.slice(prefix.length).trim());
      return mac === null ? null : { macs: [mac], timestamp: undefined };
    }
    const entries = splitEntries(value, list.separator);
    if (entries === null) return "too_many";
    const macs: Uint8Array[] = [];
    const stamps: string[] = [];
    for (const entry of entries) {
      const pair = splitPair(entry, list.delimiter);
      if (pair === null) continue;
      if (pair[0] === list.timestampKey) stamps.push(pair[1]);
      if (pair[0] === list.macKey) {
        const mac = decodeMac(pair[1]);
        if (mac !== null) macs.push(mac);
      }
    }
    if (macs.length === 0 || stamps.length > 1) return null;
    return { macs, timestamp: stamps[0] };
  }

  async function verify(input: VerifyInput): Promise<VerifyResult> {
    if (input.secrets.length === 0) return fail("no_secret");
    const primary = input.headers.get(spec.header);
    const alternate = spec.alternateHeader === undefined ? null : input.headers.get(spec.alternateHeader);
    const tsHeader = spec.timestamp?.header;
    const headerTime = tsHeader === undefined ? undefined : input.headers.get(tsHeader);
    const id = spec.idHeader === undefined ? "" : input.headers.get(spec.idHeader);
    if ((primary === null && alternate === null) || headerTime === null || id === null) return fail("missing_header");
    if (id.length > MAX_ID_LENGTH) return fail("malformed_header");
    for (const [name, expected] of fixed) {
      const value = input.headers.get(name);
      if (value === null) return fail("missing_header");
      if (value !== expected) return fail("malformed_header");
    }

    const macs: Uint8Array[] = [];
    let listTime: string | undefined;
    for (const value of [primary, alternate]) {
      if (value === null) continue;
      const parsed = parse(value);
      if (parsed === "too_many") return fail("too_many_signatures");
      if (parsed !== null) {
        macs.push(...parsed.macs);
        listTime = parsed.timestamp;
      }
    }
    if (macs.length === 0) return fail("malformed_header");

    const timestamp = headerTime ?? listTime ?? "";
    if (spec.timestamp !== undefined) {
      if (headerTime === undefined && listTime === undefined) return fail("malformed_header");
      const timestampS = parseTime(timestamp, spec.timestamp.format);
      if (timestampS === null) return fail("bad_timestamp");
      const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
      if (skew !== null) return fail(skew);
    }
    if (spec.signsUrl === true && input.url === undefined) return fail("no_url");

    const { prefix, suffix } = message({ timestamp, id, url: input.url ?? "", method: input.method ?? "POST" });
    return matchSecrets({ scheme: spec.name, secrets: input.secrets, decoding, hash, prefix, suffix, body: input.body, candidates: macs });
  }

  function message(parts: SignedParts): { prefix: string; suffix?: string } {
    return spec.message === undefined ? { prefix: "" } : spec.message(parts);
  }

  const tsHeader = spec.timestamp?.header;
  return defineScheme({
    name: spec.name,
    verify,
    secretFormat: spec.secretFormat ?? "text",
    signatureHeaders: [spec.header, spec.alternateHeader, tsHeader, spec.idHeader, ...Object.keys(spec.fixedHeaders ?? {})].flatMap((h) =>
      h === undefined ? [] : [h.toLowerCase()],
    ),
    eventTypeHeader: spec.eventTypeHeader,
    eventTypeField: spec.eventTypeField,
    deliveryId: spec.deliveryId,
    handshake: spec.handshake,
    registration: spec.registration,
    sign: async ({ secret, body, timestampS, id, url }) => {
      const timestamp = spec.timestamp === undefined ? "" : timeText(timestampS, spec.timestamp.format);
      const { prefix, suffix } = message({ timestamp, id, url: url ?? "", method: "POST" });
      const mac = await producerMac(secret, decoding, prefix, body, hash, suffix);
      const encoded = spec.encoding === "hex" ? toHex(mac) : encodeBase64(mac);
      const list = spec.list;
      const value =
        list === undefined
          ? `${spec.macPrefix ?? ""}${encoded}`
          : [list.timestampKey === undefined || tsHeader !== undefined ? [] : [`${list.timestampKey}${list.delimiter}${timestamp}`], [`${list.macKey}${list.delimiter}${encoded}`]]
              .flat()
              .join(list.separator);
      const headers: Record<string, string> = { ...spec.fixedHeaders, [spec.header]: value };
      if (tsHeader !== undefined) headers[tsHeader] = timestamp;
      if (spec.idHeader !== undefined) headers[spec.idHeader] = id;
      return headers;
    },
  });
}
