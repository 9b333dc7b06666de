// Cloudflare Access in tests: a locally generated RSA key, JWTs signed with it (or tampered), a fake
// JWKS port that counts its fetches, and an app call with that port and a settable clock.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import { loadConfig } from "../../src/config/load";
import { createApp } from "../../src/http/app";
import type { JwksSource } from "../../src/ports/access";
import { systemRuntime, type Runtime } from "../../src/runtime";
import { portsFor } from "./helpers";

export const TEAM = "hookgate-test";
export const ISSUER = `https://${TEAM}.cloudflareaccess.com`;
export const AUD = "a1b2c3d4e5f6aud0000000000000000000000000000000000000000000000000";

export interface TestKey {
  kid: string;
  jwk: JsonWebKey & { kid: string };
  privateKey: CryptoKey;
}

export async function makeKey(kid: string): Promise<TestKey> {
  const pair = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const exported = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  return { kid, jwk: { kty: "RSA", n: exported.n, e: exported.e, alg: "RS256", use: "sig", kid }, privateKey: pair.privateKey };
}

const b64url = (bytes: Uint8Array): string => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
};
const b64json = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** A signed Access assertion for `email`, valid for 10 minutes from `nowMs`; override any claim or the header. */
export async function accessJwt(key: TestKey, opts: { email?: string; nowMs?: number; claims?: Record<string, unknown>; header?: Record<string, unknown> } = {}): Promise<string> {
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  const header = { alg: "RS256", kid: key.kid, typ: "JWT", ...opts.header };
  const payload = { aud: [AUD], iss: ISSUER, email: opts.email ?? "alice@example.com", sub: "user-1", iat: now, nbf: now, exp: now + 600, type: "app", ...opts.claims };
  const input = `${b64json(header)}.${b64json(payload)}`;
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, new TextEncoder().encode(input)));
  return `${input}.${b64url(signature)}`;
}

/** Replaces one character of the signature, keeping it valid base64url. */
export function tamper(jwt: string): string {
  const last = jwt.at(-5) === "A" ? "B" : "A";
  return `${jwt.slice(0, -5)}${last}${jwt.slice(-4)}`;
}

/** A JWKS port serving `keys` (changeable), counting fetches and the URLs asked for. */
export function fakeJwks(keys: JsonWebKey[]): JwksSource & { urls: string[]; keys_: JsonWebKey[] } {
  const fake = {
    urls: [] as string[],
    keys_: keys,
    async keys(url: string) {
      fake.urls.push(url);
      return fake.keys_;
    },
  };
  return fake;
}

export const accessEnv = (extra: Record<string, unknown> = {}) => ({ ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ...extra });

/** Calls the app with `e`'s ports but the given JWKS port and clock. */
export async function callWith(request: Request, e: Env, jwks: JwksSource, clock: Runtime = systemRuntime): Promise<Response> {
  const ctx = createExecutionContext();
  const ports = { ...portsFor(e, clock), jwks };
  const res = await createApp().fetch(request, { ports, config: loadConfig(e.GATEWAY_CONFIG) }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A token's `token_sha256` for ADMIN_TOKENS. */
export async function sha256Hex(text: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
