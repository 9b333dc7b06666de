// One outbound POST to an endpoint: the URL guard again at send time, `redirect: "manual"`, an
// AbortSignal timeout. Returns the attempt's result as data (never throws) plus the response.
import { checkEndpointUrl } from "../core/url-guard";
import { parseRetryAfter } from "../core/retry";
import type { AttemptResult } from "../core/outcome";
import type { HttpSender, SendInput, SendOutput } from "../ports/http";

/** The sender over the runtime's `fetch`, timed by `clock`. */
export function httpSender(clock: () => number): HttpSender {
  return { send: (input) => sendToEndpoint(input, clock) };
}

async function sendToEndpoint(input: SendInput, clock: () => number): Promise<SendOutput> {
  const verdict = checkEndpointUrl(input.url, { allowPrivateNetworks: input.allowPrivateNetworks });
  if (!verdict.ok) return { result: { kind: "blocked_url", detail: verdict.reason }, response: null, latencyMs: 0 };
  const started = clock();
  try {
    const response = await fetch(verdict.url.toString(), {
      method: "POST",
      headers: input.headers,
      body: input.body,
      redirect: "manual",
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    const retryAfterMs = parseRetryAfter(response.headers.get("Retry-After"), input.nowMs);
    const result: AttemptResult = retryAfterMs === undefined ? { kind: "response", status: response.status } : { kind: "response", status: response.status, retryAfterMs };
    return { result, response, latencyMs: clock() - started };
  } catch (error) {
    const latencyMs = clock() - started;
    if (isTimeout(error)) return { result: { kind: "timeout" }, response: null, latencyMs };
    return { result: { kind: "network_error", message: describeNetworkError(error) }, response: null, latencyMs };
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** A short, URL-free description (fetch errors can embed the target URL). */
function describeNetworkError(error: unknown): string {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message.replace(/https?:\/\/\S+/g, "[url]")}`.slice(0, 200);
}
