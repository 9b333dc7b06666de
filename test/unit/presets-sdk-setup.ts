// What the SDK cross-check files share: one request (URL, JSON body with non-ASCII text), one clock
// (SDKs that check freshness read the real time, so signatures use it too), and Hookgate's verify and sign.
import { producerHeaders, verifySignature, type SchemeName } from "../../src/core/signatures/index";

export const URL = "https://gateway.test/webhooks/provider?tenant=7";
export const BODY = JSON.stringify({ type: "invoice.paid", id: "evt_1", event_type: "transaction.completed", data: { amount: 4200, note: "é ✓" } });
export const bytes = new TextEncoder().encode(BODY);
export const nowS = Math.floor(Date.now() / 1000);

/** Whether Hookgate accepts the request under `scheme` (tolerance 300 s, at `nowS`). */
export async function hookgateAccepts(scheme: SchemeName, headers: Record<string, string>, secrets: readonly string[], body: Uint8Array = bytes, url = URL): Promise<boolean> {
  const result = await verifySignature(scheme, { headers: new Headers(headers), body, secrets, toleranceS: 300, nowMs: nowS * 1000, url, method: "POST" });
  return result.ok;
}

/** The headers Hookgate's producer signs `body` with under `scheme`, at `nowS`. */
export const sign = (scheme: SchemeName, secret: string, body: Uint8Array = bytes, url = URL) =>
  producerHeaders(scheme, { secret, body, timestampS: nowS, id: "msg_2Lh9sdk", url });
