// The attempt classifier: every status class, the dead-letter reasons, breaker accounting and descriptions.
import { describe, expect, it } from "vitest";
import { classify, decide, describeResult, isBreakerFailure, type AttemptResult } from "../../src/core/outcome";
import { DEFAULT_RETRY_MATRIX, retryPolicy } from "../../src/core/retry";

const policy = retryPolicy(DEFAULT_RETRY_MATRIX);
const mid = () => 0.5; // no jitter
const status = (code: number, retryAfterMs?: number): AttemptResult =>
  retryAfterMs === undefined ? { kind: "response", status: code } : { kind: "response", status: code, retryAfterMs };

describe("classify", () => {
  it.each([200, 201, 202, 204, 299])("treats %i as success", (code) => {
    expect(classify(status(code))).toBe("success");
  });

  it.each([300, 301, 302, 304, 307, 308, 399])("retries a %i because redirects are never followed", (code) => {
    expect(classify(status(code))).toBe("retryable");
  });

  it.each([408, 429])("retries a %i: the endpoint asks to be called later", (code) => {
    expect(classify(status(code))).toBe("retryable");
  });

  it.each([400, 401, 403, 404, 409, 410, 413, 422, 451, 499])("treats %i as final", (code) => {
    expect(classify(status(code))).toBe("final");
  });

  it.each([500, 502, 503, 504, 599])("retries a %i", (code) => {
    expect(classify(status(code))).toBe("retryable");
  });

  it.each([0, 100, 101, 103, 199, 600, 999, -1, 200.5, Number.NaN])("retries an odd status %d rather than trusting it", (code) => {
    expect(classify(status(code))).toBe("retryable");
  });

  it("retries timeouts and network errors", () => {
    expect(classify({ kind: "timeout" })).toBe("retryable");
    expect(classify({ kind: "network_error", message: "connection reset" })).toBe("retryable");
  });

  it("marks a blocked URL as blocked and an open breaker as wait", () => {
    expect(classify({ kind: "blocked_url", detail: "private address 10.0.0.1" })).toBe("blocked");
    expect(classify({ kind: "breaker_open", retryInMs: 5000 })).toBe("wait");
  });
});

describe("decide", () => {
  it("delivers on a 2xx", () => {
    expect(decide({ result: status(204), attempt: 1, policy, random: mid })).toEqual({ kind: "delivered" });
  });

  it("retries a 503 after the matrix step of the attempt that failed", () => {
    expect(decide({ result: status(503), attempt: 1, policy, random: mid })).toEqual({ kind: "retry", delayMs: 500 });
    expect(decide({ result: status(503), attempt: 3, policy, random: mid })).toEqual({ kind: "retry", delayMs: 2000 });
  });

  it("dead-letters as exhausted when the last attempt fails", () => {
    expect(decide({ result: status(503), attempt: 6, policy, random: mid })).toEqual({ kind: "dead_letter", reason: "exhausted" });
    expect(decide({ result: { kind: "timeout" }, attempt: 6, policy, random: mid })).toEqual({ kind: "dead_letter", reason: "exhausted" });
  });

  it("honours the endpoint's Retry-After on a 429", () => {
    expect(decide({ result: status(429, 60_000), attempt: 1, policy, random: mid })).toEqual({ kind: "retry", delayMs: 60_000 });
  });

  it("honours the endpoint's Retry-After on a 503", () => {
    expect(decide({ result: status(503, 10_000), attempt: 2, policy, random: mid })).toEqual({ kind: "retry", delayMs: 10_000 });
  });

  it("dead-letters a 410 at once as gone, even on the first attempt", () => {
    expect(decide({ result: status(410), attempt: 1, policy, random: mid })).toEqual({ kind: "dead_letter", reason: "gone" });
  });

  it.each([400, 401, 403, 404, 422])("dead-letters a %i at once as rejected", (code) => {
    expect(decide({ result: status(code), attempt: 1, policy, random: mid })).toEqual({ kind: "dead_letter", reason: "rejected" });
  });

  it("dead-letters a blocked URL with reason blocked_url", () => {
    const result: AttemptResult = { kind: "blocked_url", detail: "resolves to 127.0.0.1" };
    expect(decide({ result, attempt: 1, policy, random: mid })).toEqual({ kind: "dead_letter", reason: "blocked_url" });
  });

  it("waits for an open breaker without spending an attempt, even after the last one", () => {
    const result: AttemptResult = { kind: "breaker_open", retryInMs: 12_345 };
    expect(decide({ result, attempt: 6, policy, random: mid })).toEqual({ kind: "wait", delayMs: 12_345 });
  });

  it("waits at least one second for an open breaker", () => {
    for (const retryInMs of [0, 1, 999, -5, Number.NaN]) {
      expect(decide({ result: { kind: "breaker_open", retryInMs }, attempt: 1, policy, random: mid })).toEqual({ kind: "wait", delayMs: 1000 });
    }
  });

  it("retries a redirect and an odd status, never delivering them", () => {
    expect(decide({ result: status(302), attempt: 1, policy, random: mid })).toEqual({ kind: "retry", delayMs: 500 });
    expect(decide({ result: status(102), attempt: 1, policy, random: mid })).toEqual({ kind: "retry", delayMs: 500 });
  });

  it("keeps retrying on the last step when max_attempts exceeds the matrix", () => {
    const long = retryPolicy([100, 200], 10);
    expect(decide({ result: { kind: "timeout" }, attempt: 9, policy: long, random: mid })).toEqual({ kind: "retry", delayMs: 200 });
    expect(decide({ result: { kind: "timeout" }, attempt: 10, policy: long, random: mid })).toEqual({ kind: "dead_letter", reason: "exhausted" });
  });
});

describe("isBreakerFailure", () => {
  it("counts timeouts, network errors, 3xx, 5xx and odd statuses", () => {
    for (const result of [{ kind: "timeout" }, { kind: "network_error", message: "refused" }, status(301), status(500), status(599), status(100), status(600)] as const) {
      expect(isBreakerFailure(result)).toBe(true);
    }
  });

  it("does not count 2xx or any 4xx, 408 and 429 included", () => {
    for (const code of [200, 204, 400, 404, 408, 410, 429, 499]) {
      expect(isBreakerFailure(status(code))).toBe(false);
    }
  });

  it("does not count a blocked URL or an open breaker: no call was made", () => {
    expect(isBreakerFailure({ kind: "blocked_url", detail: "x" })).toBe(false);
    expect(isBreakerFailure({ kind: "breaker_open", retryInMs: 1000 })).toBe(false);
  });
});

describe("describeResult", () => {
  it("describes a response by its status", () => {
    expect(describeResult(status(503))).toEqual({ lastStatus: 503, lastError: "HTTP 503" });
  });

  it("describes failures without a status", () => {
    expect(describeResult({ kind: "timeout" })).toEqual({ lastStatus: null, lastError: "timeout" });
    expect(describeResult({ kind: "network_error", message: "connection reset" })).toEqual({ lastStatus: null, lastError: "network error: connection reset" });
    expect(describeResult({ kind: "blocked_url", detail: "private address" })).toEqual({ lastStatus: null, lastError: "blocked url: private address" });
    expect(describeResult({ kind: "breaker_open", retryInMs: 4000 })).toEqual({ lastStatus: null, lastError: "circuit open: retry in 4000 ms" });
  });
});
