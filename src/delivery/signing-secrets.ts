// The outbound signing secrets of an endpoint, resolved from bindings. An endpoint configured to
// sign whose bindings are all missing, or whose secrets are all outside their window (§8), must not
// send unsigned requests: callers hold the delivery.
import type { Endpoint } from "../config/load";
import type { Secrets } from "../ports/secrets";
import { activeBindings, allBindings } from "../core/secret-window";
import { log } from "../log";

export type SigningSecrets = { ok: true; secrets: string[] } | { ok: false };

/** How long async deliveries wait for a missing signing secret to be put back. */
export const MISSING_SECRET_WAIT_MS = 60_000;

export function signingSecrets(secrets: Secrets, endpoint: Endpoint, now: number): SigningSecrets {
  const found: string[] = [];
  for (const name of activeBindings(endpoint.signing_secrets, now)) {
    const value = secrets.get(name);
    if (value === undefined) log("warn", "secret_binding_missing", { endpoint: endpoint.name, binding: name });
    else found.push(value);
  }
  if (endpoint.signing_secrets.length > 0 && found.length === 0) {
    log("error", "signing_secrets_missing", { endpoint: endpoint.name, bindings: allBindings(endpoint.signing_secrets) });
    return { ok: false };
  }
  return { ok: true, secrets: found };
}
