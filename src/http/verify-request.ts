// Inbound verification for one source: resolves the named secret bindings and runs the scheme.
// Only secrets inside their window (§8) count; missing bindings are skipped (rotation leftovers) and
// logged; none at all fails closed.
import type { Source } from "../config/load";
import type { Secrets } from "../ports/secrets";
import { takesSecrets, verifySignature } from "../core/signatures";
import { activeBindings } from "../core/secret-window";
import type { VerifyResult } from "../core/signatures/types";
import { log } from "../log";

export async function verifyRequest(bindings: Secrets, source: Source, headers: Headers, body: Uint8Array, nowMs: number): Promise<VerifyResult> {
  const secrets: string[] = [];
  for (const name of activeBindings(source.verify.secrets, nowMs)) {
    const value = bindings.get(name);
    if (value === undefined) log("warn", "secret_binding_missing", { source: source.name, binding: name });
    else secrets.push(value);
  }
  if (takesSecrets(source.verify.scheme) && secrets.length === 0) {
    log("error", "no_valid_secret", { source: source.name });
    return { ok: false, reason: "no_secret" };
  }
  return verifySignature(source.verify.scheme, { headers, body, secrets, toleranceS: source.verify.tolerance_s, nowMs });
}
