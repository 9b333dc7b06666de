// Token bucket for per-source rate limits: `requests` per `period_s`, refilled continuously, and
// the lease size an isolate takes at a time so a busy source costs few object calls.

export interface BucketConfig {
  requests: number;
  periodS: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export function fullBucket(cfg: BucketConfig, now: number): BucketState {
  return { tokens: cfg.requests, updatedAt: now };
}

export function refill(state: BucketState, cfg: BucketConfig, now: number): BucketState {
  const elapsed = Math.max(0, now - state.updatedAt);
  const rate = cfg.requests / (cfg.periodS * 1000);
  return { tokens: Math.min(cfg.requests, state.tokens + elapsed * rate), updatedAt: Math.max(now, state.updatedAt) };
}

export interface Take {
  granted: number;
  state: BucketState;
  /** When nothing was granted: ms until one whole token is available. */
  retryAfterMs: number;
}

/** Takes up to `want` whole tokens. */
export function take(state: BucketState, cfg: BucketConfig, now: number, want: number): Take {
  const current = refill(state, cfg, now);
  const granted = Math.max(0, Math.min(want, Math.floor(current.tokens)));
  const next = { tokens: current.tokens - granted, updatedAt: current.updatedAt };
  if (granted > 0) return { granted, state: next, retryAfterMs: 0 };
  const rate = cfg.requests / (cfg.periodS * 1000);
  return { granted: 0, state: next, retryAfterMs: Math.ceil((1 - current.tokens) / rate) };
}

/** Tokens an isolate takes per lease: 1 for small limits (exact), up to 1/50 of the limit, at most 100. */
export function leaseSize(cfg: BucketConfig): number {
  return Math.max(1, Math.min(100, Math.floor(cfg.requests / 50)));
}
