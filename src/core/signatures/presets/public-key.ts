// Public-key presets (Discord Ed25519, SendGrid ECDSA P-256): the secret bindings hold public keys,
// imported once per isolate; a key that does not parse fails closed as `bad_key`. The message is the
// timestamp header followed by the body; producers (tests, demo) sign with the matching private key.
import { checkTolerance, fail, parseTimestamp, signedDigest } from "../common";
import { sha256Hex, utf8 } from "../hmac";
import { joinPrefix } from "../../bytes";
import { defineScheme, type HandshakeAnswer, type HandshakeRequest, type SchemeDescriptor, type VerifyInput, type VerifyResult } from "../types";

export interface PublicKeyPresetSpec<N extends string> {
  name: N;
  signatureHeader: string;
  timestampHeader: string;
  /** The header's signature as the bytes WebCrypto verifies, or null when malformed. */
  decodeSignature: (text: string) => Uint8Array | null;
  /** The public key from a binding's text, or null when it does not parse. */
  importPublic: (text: string) => Promise<CryptoKey | null>;
  /** The private key from a producer's secret text. */
  importPrivate: (text: string) => Promise<CryptoKey>;
  /** Turns WebCrypto's signature into the header's text. */
  encodeSignature: (signature: Uint8Array) => string;
  algorithm: Parameters<SubtleCrypto["verify"]>[0];
  eventTypeField?: string;
  handshake?: (request: HandshakeRequest) => Promise<HandshakeAnswer | null>;
}

const KEY_CACHE_LIMIT = 64;

export function publicKeyPreset<const N extends string>(spec: PublicKeyPresetSpec<N>): SchemeDescriptor<N> {
  const keys = new Map<string, Promise<CryptoKey | null>>();
  function publicKey(text: string): Promise<CryptoKey | null> {
    const cached = keys.get(text);
    if (cached !== undefined) return cached;
    const imported = spec.importPublic(text.trim()).catch(() => null);
    keys.set(text, imported);
    if (keys.size > KEY_CACHE_LIMIT) keys.clear();
    return imported;
  }

  async function verify(input: VerifyInput): Promise<VerifyResult> {
    if (input.secrets.length === 0) return fail("no_secret");
    const signatureText = input.headers.get(spec.signatureHeader);
    const timestamp = input.headers.get(spec.timestampHeader);
    if (signatureText === null || timestamp === null) return fail("missing_header");
    const signature = spec.decodeSignature(signatureText.trim());
    if (signature === null) return fail("malformed_header");
    const timestampS = parseTimestamp(timestamp);
    if (timestampS === null) return fail("bad_timestamp");
    const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
    if (skew !== null) return fail(skew);

    const signed = joinPrefix(utf8(timestamp), input.body);
    let usable = 0;
    for (const text of input.secrets) {
      const key = await publicKey(text);
      if (key === null) continue;
      usable++;
      if (await crypto.subtle.verify(spec.algorithm, key, signature, signed)) {
        const bodySha256 = await sha256Hex(input.body);
        return { ok: true, signatureDigest: await signedDigest(spec.name, timestamp, bodySha256), bodySha256 };
      }
    }
    return fail(usable === 0 ? "bad_key" : "mismatch");
  }

  return defineScheme({
    name: spec.name,
    verify,
    secretFormat: "public-key",
    signatureHeaders: [spec.signatureHeader.toLowerCase(), spec.timestampHeader.toLowerCase()],
    eventTypeField: spec.eventTypeField,
    handshake: spec.handshake,
    sign: async ({ secret, body, timestampS }) => {
      const key = await spec.importPrivate(secret);
      const signature = new Uint8Array(await crypto.subtle.sign(spec.algorithm, key, joinPrefix(utf8(String(timestampS)), body)));
      return { [spec.signatureHeader]: spec.encodeSignature(signature), [spec.timestampHeader]: String(timestampS) };
    },
  });
}
