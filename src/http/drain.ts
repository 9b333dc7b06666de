// Settles whatever a handler left of the request body before the answer goes out: the rest is read
// and dropped up to a cap, and cancelled only beyond it. An unread or cancelled body can leave the
// keep-alive connection stuck under `wrangler dev` (docs/platform-notes.md); a drained one does not.
import type { MiddlewareHandler } from "hono";
import type { LoadResult } from "../config/load";
import type { AppEnv } from "./context";
import { declaredLength } from "./body";

/** The least drain cap, also the one used while the configuration is invalid. */
export const DRAIN_CAP_BYTES = 64 * 1024;

/**
 * Bytes of a refused body the gateway reads and drops: twice max_body_bytes (at least 64 KiB), so a
 * body that overshoots the limit is still drained and only a far larger one is cut off.
 */
export function drainCap(result: LoadResult): number {
  return Math.max(DRAIN_CAP_BYTES, result.ok ? 2 * result.config.maxBodyBytes : 0);
}

/**
 * Reads the rest of `request`'s body to its end when that is at most `cap` bytes, else cancels it.
 * A body someone still holds a reader of (or consumed with text()/json()) is left to them.
 */
export async function settleBody(request: Request, cap = DRAIN_CAP_BYTES): Promise<void> {
  const body = request.body;
  if (body === null || body.locked) return;
  // Content-Length tells the size of the rest only while nothing was read.
  const declared = request.bodyUsed ? undefined : declaredLength(request.headers.get("Content-Length"));
  const reader = body.getReader();
  if (typeof declared === "number" && declared > cap) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  let dropped = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
      if (dropped > cap) {
        await reader.cancel().catch(() => undefined);
        return;
      }
    }
  } catch {
    // The client went away mid-body: nothing left to settle.
  }
}

/** Runs the rest of the app, then settles the request body, whatever the answer (early or not). */
export function settleRequestBody(): MiddlewareHandler<AppEnv> {
  return async function settleRequestBody(c, next) {
    await next();
    await settleBody(c.req.raw, drainCap(c.env.config));
  };
}
