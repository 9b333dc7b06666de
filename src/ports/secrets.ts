// Secrets by binding name (the config names bindings, never values).

export interface Secrets {
  /** The binding's value, or undefined when it is absent or not a non-empty string. */
  get(binding: string): string | undefined;
}
