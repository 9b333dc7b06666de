// The JWKS port over the runtime's fetch: GET the certs URL (5 s timeout, no redirects), read `keys`.
import type { JwksSource } from "../ports/access";

export function fetchJwks(): JwksSource {
  return {
    async keys(url) {
      const res = await fetch(url, { headers: { Accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(5_000) });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`JWKS answered HTTP ${res.status}`);
      }
      const body: unknown = await res.json();
      const keys = typeof body === "object" && body !== null && "keys" in body ? body.keys : undefined;
      if (!Array.isArray(keys)) throw new Error("JWKS has no keys array");
      return keys.filter((k): k is JsonWebKey => typeof k === "object" && k !== null);
    },
  };
}
