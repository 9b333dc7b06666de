// Adyen standard webhooks (https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures):
// each NotificationRequestItem carries `additionalData.hmacSignature`, the base64 HMAC-SHA256 of eight of its
// fields joined by ":", keyed with the hex HMAC key. Every item must verify; other fields are not signed.
import { fail, matchSecrets, MAX_SIGNATURE_ENTRIES, producerMac } from "../common";
import { decodeBase64, encodeBase64, sha256Hex, utf8 } from "../hmac";
import { defineScheme, type VerifyInput, type VerifyResult } from "../types";
import { bodyJson, fieldText, isRecord, NO_BYTES, withBodyHash } from "./body-fields";

const NAME = "adyen";

/** pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success; null if a field is not text. */
function signedText(item: Record<string, unknown>): string | null {
  const amount = isRecord(item["amount"]) ? item["amount"] : {};
  const fields = [
    item["pspReference"],
    item["originalReference"],
    item["merchantAccountCode"],
    item["merchantReference"],
    amount["value"],
    amount["currency"],
    item["eventCode"],
    item["success"],
  ];
  const texts = fields.map((value) => (value === undefined || value === null ? "" : fieldText(value)));
  return texts.every((text) => text !== null) ? texts.join(":") : null;
}

/** The notification's items, or null when the body is not an Adyen notification. */
function itemsOf(json: unknown): Record<string, unknown>[] | null {
  const list = isRecord(json) ? json["notificationItems"] : undefined;
  if (!Array.isArray(list)) return null;
  const items = list.map((entry: unknown) => (isRecord(entry) && isRecord(entry["NotificationRequestItem"]) ? entry["NotificationRequestItem"] : null));
  return items.every((item) => item !== null) ? (items as Record<string, unknown>[]) : null;
}

async function verify(input: VerifyInput): Promise<VerifyResult> {
  if (input.secrets.length === 0) return fail("no_secret");
  const items = itemsOf(bodyJson(input.body));
  if (items === null || items.length === 0) return fail("missing_header");
  if (items.length > MAX_SIGNATURE_ENTRIES) return fail("too_many_signatures");
  const digests: string[] = [];
  for (const item of items) {
    const extra = item["additionalData"];
    const sent = isRecord(extra) ? extra["hmacSignature"] : undefined;
    if (typeof sent !== "string") return fail("missing_header");
    const mac = decodeBase64(sent);
    const text = signedText(item);
    if (mac === null || mac.length !== 32 || text === null) return fail("malformed_header");
    const result = await matchSecrets({ scheme: NAME, secrets: input.secrets, decoding: "hex", prefix: text, body: NO_BYTES, candidates: [mac] });
    if (!result.ok) return result;
    digests.push(result.signatureDigest);
  }
  return withBodyHash({ ok: true, signatureDigest: digests.length === 1 ? (digests[0] ?? "") : await sha256Hex(utf8(digests.join("\n"))) }, input.body);
}

/** A notification around any other body (what `npm run demo` sends): one AUTHORISATION item. */
function asNotification(json: unknown, id: string): { notificationItems: unknown[] } {
  const eventCode = isRecord(json) && typeof json["type"] === "string" ? json["type"] : "AUTHORISATION";
  const item = { eventCode, success: "true", pspReference: id, merchantAccountCode: "HookgateDemo", merchantReference: id, amount: { value: 0, currency: "EUR" } };
  return { notificationItems: [{ NotificationRequestItem: item }] };
}

export const adyen = defineScheme({
  name: NAME,
  verify,
  secretFormat: "text",
  signatureHeaders: [],
  eventTypeField: "notificationItems.0.NotificationRequestItem.eventCode",
  sign: () => Promise.resolve({}),
  signBody: async ({ secret, body, id }) => {
    const json = bodyJson(body);
    const notification = itemsOf(json) === null ? asNotification(json, id) : (json as { notificationItems: unknown[] });
    for (const item of itemsOf(notification) ?? []) {
      const text = signedText(item) ?? "";
      const hmacSignature = encodeBase64(await producerMac(secret, "hex", text, NO_BYTES));
      item["additionalData"] = { ...(isRecord(item["additionalData"]) ? item["additionalData"] : {}), hmacSignature };
    }
    return utf8(JSON.stringify(notification));
  },
});
