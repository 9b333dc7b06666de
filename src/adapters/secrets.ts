// Secrets from the Worker's string bindings, by name.
import type { Secrets } from "../ports/secrets";

export function bindingSecrets(bindings: object): Secrets {
  return {
    get(name) {
      const value: unknown = (bindings as Record<string, unknown>)[name];
      return typeof value === "string" && value.length > 0 ? value : undefined;
    },
  };
}
