// Builds problem+json responses from the Problem union; the one place errors reach the wire.
import type { Context } from "hono";
import { toWire, type Problem } from "../core/problems";
import type { AppEnv } from "./context";

export function problemResponse(problem: Problem, traceId: string, extraHeaders: Record<string, string> = {}): Response {
  const wire = toWire(problem, traceId);
  const headers = new Headers({ "Content-Type": "application/problem+json", ...wire.headers, ...extraHeaders });
  return new Response(JSON.stringify(wire.body), { status: wire.status, headers });
}

export function problem(c: Context<AppEnv>, p: Problem, extraHeaders: Record<string, string> = {}): Response {
  return problemResponse(p, c.get("trace").traceId, extraHeaders);
}
