// The retry schedule as a value (docs/contract.md §3): after attempt k fails, attempt k+1 waits
// matrix[k-1] ms (clamped to the last step), jittered within ±20 %, stretched by Retry-After up to a cap.
// Pure: randomness and the clock come in as arguments.

export const DEFAULT_RETRY_MATRIX: readonly number[] = [500, 1000, 2000, 4000, 8000];
export const MAX_STEP_MS = 86_400_000;
export const DEFAULT_RETRY_AFTER_CAP_MS = 3_600_000;
export const MAX_QUEUE_DELAY_SECONDS = 86_400;
const JITTER = 0.2;

export interface RetryPolicy {
  matrix: readonly number[];
  maxAttempts: number;
  /** False for a `retry_policy` with `jitter: false`: the steps are exact. Absent means jittered. */
  jitter?: boolean;
}

export const BACKOFF_KINDS = ["exponential", "linear", "fixed"] as const;
export type BackoffKind = (typeof BACKOFF_KINDS)[number];
export const DEFAULT_MAX_DELAY_MS = 3_600_000;

/** The source document's `retry_policy` form (docs/contract.md §8), in core's terms. */
export interface BackoffPolicy {
  maxAttempts: number;
  backoff: BackoffKind;
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: boolean;
}

/**
 * The un-jittered step before attempt k+1 (k = 1-based attempt that failed): exponential
 * `base × 2^(k−1)`, linear `base × k`, fixed `base`; each capped at `maxDelayMs`.
 */
export function backoffStep(k: number, policy: Pick<BackoffPolicy, "backoff" | "baseDelayMs" | "maxDelayMs">): number {
  const { baseDelayMs: base, maxDelayMs: cap } = policy;
  const raw = policy.backoff === "exponential" ? base * 2 ** (k - 1) : policy.backoff === "linear" ? base * k : base;
  return Math.min(raw, cap, MAX_STEP_MS);
}

/** A `retry_policy` as a RetryPolicy: its steps written out (one per retry), so envelopes carry them as a matrix. */
export function policyFromBackoff(policy: BackoffPolicy): RetryPolicy {
  const steps: number[] = [];
  for (let k = 1; k < policy.maxAttempts; k += 1) steps.push(backoffStep(k, policy));
  const built = retryPolicy(steps, policy.maxAttempts);
  return policy.jitter ? built : { ...built, jitter: false };
}

export type NextStep = { kind: "retry"; delayMs: number } | { kind: "give_up" };

/**
 * Builds a policy; `maxAttempts` defaults to `1 + matrix.length`. Throws RangeError on a step that is
 * not an integer in 0..24 h or a `maxAttempts` below 1 (the config schema rejects both earlier).
 */
export function retryPolicy(matrix: readonly number[], maxAttempts?: number): RetryPolicy {
  for (const step of matrix) {
    if (!Number.isInteger(step) || step < 0 || step > MAX_STEP_MS) {
      throw new RangeError(`retry step must be an integer in 0..${MAX_STEP_MS} ms, got ${step}`);
    }
  }
  const attempts = maxAttempts ?? 1 + matrix.length;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${attempts}`);
  }
  return { matrix: [...matrix], maxAttempts: attempts };
}

/** The un-jittered wait after attempt `attempt` fails; past the matrix, the last step (0 if empty). */
export function stepFor(attempt: number, policy: RetryPolicy): number {
  const { matrix } = policy;
  if (matrix.length === 0) return 0;
  const index = Math.min(attempt, matrix.length) - 1;
  return matrix[index] ?? 0;
}

/**
 * What to do after the 1-based `attempt` failed. The delay is the step jittered uniformly within
 * [0.8, 1.2]× it (exact when the policy says `jitter: false`); a larger Retry-After wins, capped at `retryAfterCapMs` (never below the jittered step).
 */
export function nextDelay(args: { attempt: number; policy: RetryPolicy; retryAfterMs?: number; random: () => number; retryAfterCapMs?: number }): NextStep {
  const { attempt, policy, retryAfterMs, random } = args;
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  }
  if (attempt >= policy.maxAttempts) return { kind: "give_up" };

  const step = stepFor(attempt, policy);
  const jittered = policy.jitter === false ? step : jitter(step, random());
  const cap = args.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS;
  if (retryAfterMs !== undefined && retryAfterMs > jittered) {
    return { kind: "retry", delayMs: Math.max(jittered, Math.min(Math.ceil(retryAfterMs), cap)) };
  }
  return { kind: "retry", delayMs: jittered };
}

/** Spreads `step` uniformly over [0.8, 1.2]× it, in whole ms that never leave those bounds. */
function jitter(step: number, r: number): number {
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  const low = Math.ceil(step * (1 - JITTER));
  const high = Math.floor(step * (1 + JITTER));
  const raw = Math.round(step * (1 - JITTER + 2 * JITTER * unit));
  return Math.min(Math.max(raw, low), high);
}

/** Queues carry delays in whole seconds: round up (500 ms → 1 s), clamp to 0..86400. */
export function toQueueDelaySeconds(delayMs: number): number {
  if (Number.isNaN(delayMs) || delayMs <= 0) return 0;
  return Math.min(Math.ceil(delayMs / 1000), MAX_QUEUE_DELAY_SECONDS);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const RFC_850 = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const ASCTIME = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * A Retry-After header (RFC 9110 §10.2.3) as ms from `nowMs`: delta-seconds, or an HTTP-date in any
 * of its three forms. `undefined` when absent, malformed, negative, or a date already past.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, Number.MAX_SAFE_INTEGER);
  const at = parseHttpDate(text, nowMs);
  if (at === undefined) return undefined;
  const delta = at - nowMs;
  return delta >= 0 ? delta : undefined;
}

function parseHttpDate(text: string, nowMs: number): number | undefined {
  const imf = IMF_FIXDATE.exec(text);
  if (imf) return utc(Number(imf[3]), imf[2], Number(imf[1]), imf.slice(4));
  const rfc850 = RFC_850.exec(text);
  if (rfc850) {
    // Two-digit years: RFC 9110 reads one more than 50 years ahead as the previous century.
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(rfc850[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, rfc850[2], Number(rfc850[1]), rfc850.slice(4));
  }
  const asc = ASCTIME.exec(text);
  if (asc) return utc(Number(asc[6]), asc[1], Number(asc[2]), asc.slice(3, 6));
  return undefined;
}

/** Epoch ms of a calendar date and `[hh, mm, ss]`, or undefined when it is no real instant. */
function utc(year: number, month: string | undefined, day: number, clock: readonly string[]): number | undefined {
  const m = MONTHS.indexOf(month ?? "");
  const [h, mi, s] = clock.map(Number);
  if (m < 0 || h === undefined || mi === undefined || s === undefined) return undefined;
  if (day < 1 || day > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, m, day, h, mi, Math.min(s, 59)); // a leap second reads as :59
  // Reject days the month does not have (31 Feb would roll over into March).
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}
