// The object at a dot path of a parsed JSON body (arrays walked by index), for presets that sign
// selected body fields (Adyen) or read their signature from the body (Mailgun).

/** The object at `path`, or undefined. */
export function readBodyObject(json: unknown, path: string): Record<string, unknown> | undefined {
  let current: unknown = json;
  for (const segment of path === "" ? [] : path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current !== null && typeof current === "object" ? (current as Record<string, unknown>) : undefined;
}
