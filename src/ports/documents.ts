// Documents generated at build time and shipped beside the Worker, not in it (wrangler.toml [assets]).

export interface Documents {
  /** The admin API's OpenAPI document as JSON text; null when the deploy lacks it. */
  openApi(): Promise<string | null>;
}
