// Types shared by the inbound signature schemes: what a verifier gets, and what it answers.
// A failure reason is for logs only; the wire always answers the same `invalid-signature`.

export type SchemeName =
  | "standard-webhooks"
  | "hmac-sha256-hex"
  | "stripe"
  | "github"
  | "shopify"
  | "slack"
  | "none";

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
  | { ok: true; signatureDigest: string; bodySha256?: string }
  | { ok: false; reason: VerifyFailure };

export type VerifyFailure =
  | "missing_header"
  | "malformed_header"
  | "bad_timestamp"
  | "stale_timestamp"
  | "future_timestamp"
  | "mismatch"
  | "no_secret"
  | "too_many_signatures";
