// Scheduled rotation's safety net (docs/contract.md §8): a source or endpoint left with no secret
// inside its window and bound fails closed (401 / held deliveries); the cron raises an alert for it.
import type { Config } from "../config/load";
import { activeBindings, type SecretEntry } from "../core/secret-window";
import { takesSecrets } from "../core/signatures";
import type { Secrets } from "../ports/secrets";
import type { Alert } from "./alerts";

const usable = (secrets: Secrets, entries: readonly SecretEntry[], now: number) => activeBindings(entries, now).some((b) => secrets.get(b) !== undefined);

/** Every source whose scheme needs a secret, and every signing endpoint, that has none usable at `now`. */
export function secretAlerts(config: Config, secrets: Secrets, now: number): Alert[] {
  const alerts: Alert[] = [];
  for (const s of config.sources.values()) {
    if (takesSecrets(s.verify.scheme) && !usable(secrets, s.verify.secrets, now)) alerts.push({ kind: "no_valid_secret", scope: "source", name: s.name, endpoint: "" });
  }
  for (const e of config.endpoints.values()) {
    if (e.signing_secrets.length > 0 && !usable(secrets, e.signing_secrets, now)) alerts.push({ kind: "no_valid_secret", scope: "endpoint", name: e.name, endpoint: e.name });
  }
  return alerts;
}
