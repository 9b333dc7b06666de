// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. Without
// the ADMIN_TOKEN binding the admin API does not exist (404 on every route); a missing or wrong token is 401.
import type { MiddlewareHandler } from "hono";
import { log } from "../../log";
import type { AppEnv } from "../context";
import { problem } from "../problem";

const BEARER = /^Bearer[ \t]+([!-~]+)[ \t]*$/i;

export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const expected = c.env.ports.secrets.get("ADMIN_TOKEN");
    if (expected === undefined) return problem(c, { kind: "not-found" });
    if (!(await c.env.ports.adminRateLimit.allow(c.req.header("CF-Connecting-IP")))) {
      log("warn", "admin_rate_limited", { trace_id: c.get("trace").traceId });
      return problem(c, { kind: "rate-limited", retryAfterS: 60, detail: "Too many admin requests from this address; retry later." });
    }
    const presented = BEARER.exec(c.req.header("Authorization") ?? "")?.[1];
    if (presented === undefined || !(await sameToken(presented, expected))) {
      log("warn", "admin_unauthorized", { trace_id: c.get("trace").traceId, method: c.req.method, reason: presented === undefined ? "missing" : "mismatch" });
      return problem(c, { kind: "unauthorized" });
    }
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  };
}

/** Compares SHA-256 digests with timingSafeEqual, so neither the content nor the length leaks. */
export async function sameToken(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(presented)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
