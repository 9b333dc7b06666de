// Transport checks from `request.cf` (docs/contract.md §2): TLS at all, its minimum version, and client
// certificates. When the runtime gives no TLS facts (a request built in a test), they cannot apply.

export interface TransportFacts {
  tlsVersion?: unknown;
  tlsClientAuth?: unknown;
}

const VERSIONS: Record<string, number> = { TLSv1: 10, "TLSv1.0": 10, "TLSv1.1": 11, "TLSv1.2": 12, "TLSv1.3": 13 };
const MIN: Record<string, number> = { "1.0": 10, "1.1": 11, "1.2": 12, "1.3": 13 };

export type TransportVerdict = { ok: true } | { ok: false; detail: string };

export function checkTransport(cf: TransportFacts | undefined, rules: { minTlsVersion: string; requireClientCertificate: boolean }): TransportVerdict {
  // Cloudflare reports an empty tlsVersion for a request that came in over plain HTTP. Without any
  // TLS facts at all (a request built in a test, no `cf`), the check cannot apply.
  if (cf?.tlsVersion === "") return { ok: false, detail: "HTTPS is required." };
  const version = typeof cf?.tlsVersion === "string" ? cf.tlsVersion : "";
  if (version !== "") {
    const have = VERSIONS[version] ?? 0;
    const need = MIN[rules.minTlsVersion] ?? 13;
    if (have < need) return { ok: false, detail: `TLS ${rules.minTlsVersion} or later is required.` };
  }
  if (rules.requireClientCertificate) {
    const auth = cf?.tlsClientAuth;
    const verified = auth !== null && typeof auth === "object" && "certVerified" in auth ? (auth as { certVerified: unknown }).certVerified : undefined;
    if (verified !== "SUCCESS") return { ok: false, detail: "A verified client certificate is required." };
  }
  return { ok: true };
}
