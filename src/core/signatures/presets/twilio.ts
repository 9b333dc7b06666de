// Twilio (https://www.twilio.com/docs/usage/webhooks/webhooks-security): `X-Twilio-Signature` is the base64
// HMAC-SHA1 (SHA-256 when `X-Twilio-Webhooks-Signature-Settings` says so) of the URL followed by every
// form parameter as name+value, sorted by name; a JSON body is covered by the URL's `bodySHA256` instead.
import { fail, matchSecrets, producerMac } from "../common";
import { decodeBase64, encodeBase64, sha256Hex, timingSafeEqual, utf8, type HashName } from "../hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "../types";

const NAME = "twilio";
const SETTINGS = "x-twilio-webhooks-signature-settings";

/** The algorithm named in the settings header; SHA-1 when absent; null when unsupported. */
function hashOf(settings: string | null): HashName | null {
  for (const part of (settings ?? "").split(",")) {
    const at = part.indexOf("=");
    if (at === -1 || part.slice(0, at).trim() !== "algorithm") continue;
    const algorithm = part
      .slice(at + 1)
      .trim()
      .toUpperCase();
    if (algorithm === "HMAC_SHA256") return "SHA-256";
    return algorithm === "HMAC_SHA1" || algorithm === "" ? "SHA-1" : null;
  }
  return "SHA-1";
}

/** URL + name+value of each form parameter, names sorted, a name's distinct values sorted. */
export function twilioSignedText(url: string, body: Uint8Array): string {
  if (new URL(url).searchParams.has("bodySHA256")) return url;
  const params = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(new TextDecoder().decode(body))) {
    const values = params.get(name) ?? new Set<string>();
    values.add(value);
    params.set(name, values);
  }
  let text = url;
  for (const name of [...params.keys()].sort()) for (const value of [...(params.get(name) ?? [])].sort()) text += name + value;
  return text;
}

async function verifyTwilio(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get("x-twilio-signature");
  if (signature === null) return fail("missing_header");
  const hash = hashOf(input.headers.get(SETTINGS));
  const mac = decodeBase64(signature);
  if (hash === null || mac === null || mac.length !== (hash === "SHA-1" ? 20 : 32)) return fail("malformed_header");
  if (input.url === undefined || !URL.canParse(input.url)) return fail("no_url");

  // The body's SHA-256 is computed once, and only when needed: for `bodySHA256`, or on a match.
  let bodySha256: string | undefined;
  const hashBody = async (): Promise<string> => (bodySha256 ??= await sha256Hex(input.body));
  const bodyHash = new URL(input.url).searchParams.get("bodySHA256");
  if (bodyHash !== null && !timingSafeEqual(utf8(bodyHash.toLowerCase()), utf8(await hashBody()))) return fail("mismatch");
  const signed = twilioSignedText(input.url, input.body);
  const result = await matchSecrets({ scheme: NAME, secrets: input.secrets, decoding: "utf8", hash, prefix: signed, body: new Uint8Array(0), candidates: [mac] });
  // The digest covers the signed text (URL and every parameter); the body hash is the real body's.
  return result.ok ? { ...result, bodySha256: await hashBody() } : result;
}

export const twilio = defineScheme({
  name: NAME,
  verify: verifyTwilio,
  secretFormat: "text",
  signatureHeaders: ["x-twilio-signature", SETTINGS],
  sign: async ({ secret, body, url }) => {
    if (url === undefined) throw new Error("twilio signs the request URL: give one");
    return { "X-Twilio-Signature": encodeBase64(await producerMac(secret, "utf8", twilioSignedText(url, body), new Uint8Array(0), "SHA-1")) };
  },
});
