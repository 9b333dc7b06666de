// The JSON Web Key Set of a Cloudflare Access team, fetched from its certs URL. The verifier above
// caches the keys per isolate and calls this only at start, after an hour, or for an unknown `kid`.

export interface JwksSource {
  /** The `keys` of the JWKS at `url`; throws when it cannot be fetched or read. */
  keys(url: string): Promise<JsonWebKey[]>;
}
