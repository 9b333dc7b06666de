// Scheduled secret rotation (docs/contract.md §8): a secret entry is a binding name used only inside
// its window [not_before, not_after). Pure: the time comes in as an argument.

/** One entry of `verify.secrets` or `signing_secrets`, normalised; null bounds are open. */
export interface SecretEntry {
  binding: string;
  /** Epoch ms from which the secret is used (inclusive), or null. */
  notBefore: number | null;
  /** Epoch ms from which the secret is no longer used (exclusive), or null. */
  notAfter: number | null;
}

/** Whether `entry` is inside its window at `now`: not_before ≤ now < not_after. */
export function secretActive(entry: SecretEntry, now: number): boolean {
  return (entry.notBefore === null || now >= entry.notBefore) && (entry.notAfter === null || now < entry.notAfter);
}

/** The binding names of the entries in their window at `now`, in config order. */
export function activeBindings(entries: readonly SecretEntry[], now: number): string[] {
  return entries.filter((e) => secretActive(e, now)).map((e) => e.binding);
}

/** The binding names of every entry, whatever its window (for checks of which bindings exist). */
export function allBindings(entries: readonly SecretEntry[]): string[] {
  return entries.map((e) => e.binding);
}

/**
 * The next instant after `now` at which the active set changes (a not_before or not_after still
 * ahead), or null. Lets the scheduled check and the docs say when a rotation step takes effect.
 */
export function nextSecretChange(entries: readonly SecretEntry[], now: number): number | null {
  let next: number | null = null;
  for (const e of entries) {
    for (const at of [e.notBefore, e.notAfter]) if (at !== null && at > now && (next === null || at < next)) next = at;
  }
  return next;
}
