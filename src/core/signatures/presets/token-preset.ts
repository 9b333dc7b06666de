// Providers that send a shared secret itself instead of a signature (GitLab's `X-Gitlab-Token`,
// Postmark's basic auth, Okta's Authorization header): compared in constant time with each secret.
// Nothing signs the body, so there is no replay digest; the body's SHA-256 still serves dedup.
import { fail } from "../common";
import { sha256Hex, timingSafeEqual, utf8 } from "../hmac";
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

export interface TokenPresetSpec<N extends string> {
  name: N;
  header: string;
  /** The header value a secret stands for (basic auth encodes `user:password`). */
  expected: (secret: string) => string;
  eventTypeHeader?: string;
  eventTypeField?: string;
  deliveryId?: DeliveryIdSource;
  handshake?: (request: HandshakeRequest) => Promise<HandshakeAnswer | null>;
  registration?: (request: RegistrationRequest) => HandshakeAnswer | null;
}

const MAX_TOKEN_LENGTH = 4096;

export function tokenPreset<const N extends string>(spec: TokenPresetSpec<N>): SchemeDescriptor<N> {
  async function verify(input: VerifyInput): Promise<VerifyResult> {
    if (input.secrets.length === 0) return fail("no_secret");
    const sent = input.headers.get(spec.header);
    if (sent === null) return fail("missing_header");
    if (sent === "" || sent.length > MAX_TOKEN_LENGTH) return fail("malformed_header");
    // Hashing both sides first makes the comparison independent of the token lengths.
    const sentHash = await digest(sent.trim());
    let matched = false;
    for (const secret of input.secrets) {
      if (secret === "") continue;
      matched = timingSafeEqual(sentHash, await digest(spec.expected(secret))) || matched;
    }
    if (!matched) return fail("mismatch");
    return { ok: true, signatureDigest: "", bodySha256: await sha256Hex(input.body) };
  }
  return defineScheme({
    name: spec.name,
    verify,
    secretFormat: "text",
    signatureHeaders: [spec.header.toLowerCase()],
    eventTypeHeader: spec.eventTypeHeader,
    eventTypeField: spec.eventTypeField,
    deliveryId: spec.deliveryId,
    handshake: spec.handshake,
    registration: spec.registration,
    sign: ({ secret }) => Promise.resolve({ [spec.header]: spec.expected(secret) }),
  });
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text)));
}
