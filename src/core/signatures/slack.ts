// Slack (https://api.slack.com/authentication/verifying-requests-from-slack):
// `X-Slack-Signature: v0=<hex>`, the HMAC-SHA256 of `v0:{ts}:{body}` keyed with the signing secret's
// UTF-8 bytes, where `X-Slack-Request-Timestamp` is `ts` and must be within tolerance.
import { checkTolerance, fail, matchSecrets, parseTimestamp, producerMac } from "./common";
import { decodeHex, toHex } from "./hmac";
import { readDotPath } from "../routing";
import { defineScheme, type VerifyInput, type VerifyResult } from "./types";

const NAME = "slack";
const PREFIX = "v0=";

export async function verifySlack(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const signature = input.headers.get("x-slack-signature");
  const timestamp = input.headers.get("x-slack-request-timestamp");
  if (signature === null || timestamp === null) return fail("missing_header");

  const hex = signature.startsWith(PREFIX) ? signature.slice(PREFIX.length) : null;
  const mac = hex !== null && hex.length === 64 ? decodeHex(hex) : null;
  if (mac === null) return fail("malformed_header");

  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return fail("bad_timestamp");
  const skew = checkTolerance(timestampS, input.nowMs, input.toleranceS);
  if (skew !== null) return fail(skew);

  return matchSecrets({
    scheme: NAME,
    secrets: input.secrets,
    decoding: "utf8",
    prefix: `v0:${timestamp}:`,
    body: input.body,
    candidates: [mac],
  });
}

export const slack = defineScheme({
  name: NAME,
  verify: verifySlack,
  secretFormat: "text",
  signatureHeaders: ["x-slack-signature", "x-slack-request-timestamp"],
  // Slack's url_verification (Events API) is signed like any event: answered here once verified.
  handshake: (request) => {
    const json = request.json();
    const challenge = readDotPath(json, "challenge");
    const answer = readDotPath(json, "type") === "url_verification" && challenge !== undefined;
    return Promise.resolve(answer ? { status: 200, contentType: "text/plain", body: challenge } : null);
  },
  sign: async ({ secret, body, timestampS }) => ({
    "X-Slack-Signature": `${PREFIX}${toHex(await producerMac(secret, "utf8", `v0:${timestampS}:`, body))}`,
    "X-Slack-Request-Timestamp": String(timestampS),
  }),
});
