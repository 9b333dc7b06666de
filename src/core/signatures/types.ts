// Types shared by the signature schemes: what a verifier gets and answers, what a producer signs,
// and the descriptor each scheme exports. A failure reason is for logs only; the wire always
// answers the same `invalid-signature`.

export interface VerifyInput {
  /** Request headers. */
  headers: Headers;
  /** Raw body bytes exactly as received. */
  body: Uint8Array;
  /** Resolved secret VALUES, in rotation order (any one may match). */
  secrets: readonly string[];
  /** Allowed |now - timestamp| in seconds. */
  toleranceS: number;
  /** Current time in epoch milliseconds, injected. */
  nowMs: number;
  /** The request URL as received, for schemes that sign it (Twilio, Square, HubSpot, Trello). */
  url?: string;
  /** The request method (HubSpot signs it); POST unless given. */
  method?: string;
}

export type VerifyResult =
  /**
   * `signatureDigest`: stable hex SHA-256 of the scheme name and the exact bytes the accepted
   * signature covers (e.g. `{id}.{timestamp}.{body}`), used for replay detection. It does not depend
   * on which secret or which signature entry matched, nor on header parts the MAC does not cover.
   * "" means "no replay tracking" (scheme `none`).
   * `bodySha256`: hex SHA-256 of the body, computed on a match anyway (absent for scheme `none`),
   * so that dedup does not hash the body a second time.
   */
  { ok: true; signatureDigest: string; bodySha256?: string } | { ok: false; reason: VerifyFailure };

export type VerifyFailure =
  "missing_header" | "malformed_header" | "bad_timestamp" | "stale_timestamp" | "future_timestamp" | "mismatch" | "no_secret" | "too_many_signatures" | "no_url" | "bad_key";

/** What a producer signs: one request, at one time, with one secret. */
export interface SignInput {
  /** The producer's signing key: the shared secret (a public-key scheme would take its private key). */
  secret: string;
  /** The exact body bytes sent. */
  body: Uint8Array;
  /** Unix seconds of the signature; schemes without a timestamp ignore it. */
  timestampS: number;
  /** The message id, for schemes whose signature covers one (Standard Webhooks' `webhook-id`). */
  id: string;
  /** The URL the request is sent to, for schemes that sign it. */
  url?: string;
}

/** What a handshake sees: the verified request and a lazily parsed JSON body. */
export interface HandshakeRequest extends VerifyInput {
  json: () => unknown;
}

/** A reply the gateway sends itself, without reaching a consumer. */
export interface HandshakeAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Extra response headers (Asana's echoed `X-Hook-Secret`). */
  headers?: Record<string, string>;
}

/** What a registration check sees: an unsigned request, before the method check and the body read. */
export interface RegistrationRequest {
  method: string;
  url: string;
  headers: Headers;
}

/** How a scheme reads in the README table (docs.ts; not part of the descriptor, so not in the Worker). */
export interface PresetDoc {
  provider: string;
  /** e.g. `HMAC-SHA256, hex`. */
  algorithm: string;
  /** e.g. `{t}.{body}`. */
  signed: string;
  /** Whether `verify.tolerance_s` applies (the scheme signs a timestamp). */
  timestamped: boolean;
  /** The provider's handshake answered at the edge, if any. */
  handshake?: string;
  /** The provider's documentation of the scheme. */
  docs: string;
}

/**
 * Where a provider names its delivery, used as the idempotency key when the producer sends no
 * `X-Idempotency-Key`. `signed`: the signature covers it, so it cannot change without a new
 * signature (and a replay under a fresh key is then impossible, see dedup).
 */
export type DeliveryIdSource =
  /** A request header. */
  | { header: string; signed: boolean }
  /** A string field of the JSON body, as a dot path. */
  | { bodyField: string; signed: boolean };

/**
 * Every fact about one signature scheme; config, idempotency, dedup, forwarding and producers all
 * read it from here. New members may be added as optional ones (a handshake answered at the edge,
 * the request URL in `VerifyInput` for schemes that sign it), so existing schemes stay untouched.
 */
export interface SchemeDescriptor<N extends string = string> {
  /** The `verify.scheme` value in the config. */
  name: N;
  /** Verifies an inbound request. Resolves for any header content; never rejects on bad input. */
  verify(input: VerifyInput): Promise<VerifyResult>;
  /**
   * What a secret of this scheme looks like, so tools can generate one: `whsec_` + base64, any
   * text, or `none` when the scheme takes no secrets (then the config needs none).
   */
  secretFormat: "whsec-base64" | "text" | "none" | "public-key";
  /** Headers that carry the producer's signature material (lower case); never forwarded downstream. */
  signatureHeaders: readonly string[];
  /** The event type header read when the source names none. */
  eventTypeHeader?: string;
  /** The JSON body dot path of the event type when the source names none (else `type`). */
  eventTypeField?: string;
  /** A registration handshake answered at the edge after verification; null for any other request. */
  handshake?(request: HandshakeRequest): Promise<HandshakeAnswer | null>;
  /**
   * A provider's URL registration request, which it does not sign (Dropbox's `?challenge=` GET, Okta's
   * verification GET, Trello's HEAD, Asana's `X-Hook-Secret` POST): answered at the edge before the
   * method check, on sources of this scheme only; null for any other request.
   */
  registration?(request: RegistrationRequest): HandshakeAnswer | null;
  /**
   * For schemes whose signature rides in the body (Mailgun's `signature` object, Adyen's
   * `additionalData.hmacSignature`): the body a correct producer sends, signature written in.
   */
  signBody?(input: SignInput): Promise<Uint8Array>;
  /** The provider's own delivery id, when it sends one. */
  deliveryId?: DeliveryIdSource;
  /** The signature headers a correct producer sends for `input` (the delivery-id header aside). */
  sign(input: SignInput): Promise<Record<string, string>>;
}

/** A descriptor with its literal name kept, so the registry can derive the union of names. */
export function defineScheme<const N extends string>(descriptor: SchemeDescriptor<N>): SchemeDescriptor<N> {
  return descriptor;
}
