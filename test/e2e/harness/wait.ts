// Deadlines instead of sleeps: poll a condition with a small interval under an overall timeout;
// free 127.0.0.1 ports; bounded-concurrency mapping.
import { createServer } from "node:net";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
}

/** Resolves once `condition` returns true; rejects at the deadline (or when `condition` throws). */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what ?? "a condition"}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

/** Maps `items` with at most `limit` calls of `fn` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
