// Mailgun (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks): the body
// carries `signature: {timestamp, token, signature}` (JSON) or those three form fields; `signature` is the
// hex HMAC-SHA256 of timestamp + token keyed with the webhook signing key. The event data is not signed.
import { checkTolerance, fail, matchSecrets, parseTimestamp, producerMac } from "../common";
import { decodeHex, toHex, utf8 } from "../hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "../types";
import { bodyJson, bodyText, fieldText, isRecord, NO_BYTES, withBodyHash } from "./body-fields";

const NAME = "mailgun";
const MAX_TOKEN_LENGTH = 256;

interface Signed {
  timestamp: string | null;
  token: string | null;
  /** `signature`, and a subaccount's `parent-signature` (the primary account's key). */
  macs: (string | null)[];
}

function readSigned(body: Uint8Array): Signed | null {
  const text = bodyText(body);
  if (text.trimStart().startsWith("{")) {
    const json = bodyJson(body);
    const signature = isRecord(json) ? json["signature"] : undefined;
    if (!isRecord(signature)) return null;
    return {
      timestamp: fieldText(signature["timestamp"]),
      token: fieldText(signature["token"]),
      macs: [fieldText(signature["signature"]), fieldText(signature["parent-signature"])],
    };
  }
  const form = new URLSearchParams(text);
  return { timestamp: form.get("timestamp"), token: form.get("token"), macs: [form.get("signature")] };
}

async function verify(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signed = readSigned(input.body);
  if (signed === null || signed.timestamp === null || signed.token === null || signed.macs[0] === null) return fail("missing_header");
  const { timestamp, token } = signed;
  if (token === "" || token.length > MAX_TOKEN_LENGTH) return fail("malformed_header");
  const macs = signed.macs.flatMap((mac) => (mac?.length === 64 ? [decodeHex(mac)] : [])).filter((mac) => mac !== null);
  if (macs.length === 0) return fail("malformed_header");
  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);
  const result = await matchSecrets({ scheme: NAME, secrets: input.secrets, decoding: "utf8", prefix: `${timestamp}${token}`, body: NO_BYTES, candidates: macs });
  return withBodyHash(result, input.body);
}

export const mailgun = defineScheme({
  name: NAME,
  verify,
  secretFormat: "text",
  signatureHeaders: [],
  eventTypeField: "event-data.event",
  deliveryId: { bodyField: "event-data.id", signed: false },
  sign: () => Promise.resolve({}),
  // JSON bodies get a `signature` object (Mailgun's webhooks); any other body the three form fields.
  signBody: async ({ secret, body, timestampS, id }) => {
    const timestamp = String(timestampS);
    const signature = toHex(await producerMac(secret, "utf8", `${timestamp}${id}`, NO_BYTES));
    const json = bodyJson(body);
    if (isRecord(json)) return utf8(JSON.stringify({ ...json, signature: { timestamp, token: id, signature } }));
    const text = bodyText(body);
    return utf8(`${text}${text === "" ? "" : "&"}${new URLSearchParams({ timestamp, token: id, signature }).toString()}`);
  },
});
