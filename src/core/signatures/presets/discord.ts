// Discord interactions (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint):
// `X-Signature-Ed25519` is the hex Ed25519 signature of `X-Signature-Timestamp` + body under the app's
// public key (hex, from the binding). A PING (type 1) is answered with a PONG at the edge.
import { decodeHex, toHex } from "../hmac";
import { publicKeyPreset } from "./public-key";

/** PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410), so a hex private seed imports. */
const PKCS8_PREFIX = decodeHex("302e020100300506032b657004220420") ?? new Uint8Array(0);

export const discord = publicKeyPreset({
  name: "discord",
  signatureHeader: "X-Signature-Ed25519",
  timestampHeader: "X-Signature-Timestamp",
  algorithm: { name: "Ed25519" },
  decodeSignature: (text) => (text.length === 128 ? decodeHex(text) : null),
  encodeSignature: toHex,
  importPublic: async (text) => {
    const raw = text.length === 64 ? decodeHex(text) : null;
    return raw === null ? null : crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  },
  importPrivate: async (text) => {
    const seed = decodeHex(text);
    if (seed === null || seed.length !== 32) throw new Error("a discord signing key must be a 32-byte hex seed");
    return crypto.subtle.importKey("pkcs8", new Uint8Array([...PKCS8_PREFIX, ...seed]), { name: "Ed25519" }, false, ["sign"]);
  },
  handshake: (request) => {
    const json = request.json();
    const ping = json !== null && typeof json === "object" && (json as Record<string, unknown>)["type"] === 1;
    return Promise.resolve(ping ? { status: 200, contentType: "application/json", body: '{"type":1}' } : null);
  },
});
