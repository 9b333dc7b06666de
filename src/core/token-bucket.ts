// Token bucket for per-source rate limits: `requests` per `period_s`, refilled continuously, and
// the lease an isolate takes at a time (size and life from its own demand) so a busy source served
// by thousands of isolates costs each of them about one object call per LEASE_TARGET_MS (8 s).

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

/**
 * The most tokens one lease holds: 1 for limits under 100 a period (exact), else 1/50 of the limit.
 * (With 1 s leases it was also capped at 100; leases now last ~8 s of the isolate's demand and come
 * back unspent, so that cap only made busy isolates ask more often.)
 */
export function leaseSize(cfg: BucketConfig): number {
  return Math.max(1, Math.floor(cfg.requests / 50));
}

/** Gives back the unspent tokens of an ended lease (never above the bucket's size). */
export function giveBack(state: BucketState, cfg: BucketConfig, now: number, tokens: number): BucketState {
  const current = refill(state, cfg, now);
  return { tokens: Math.min(cfg.requests, current.tokens + Math.max(0, Math.floor(tokens))), updatedAt: current.updatedAt };
}

/** The object's side of one lease call: the returned tokens go back, then up to `want` are taken. */
export function grantLease(state: BucketState, cfg: BucketConfig, now: number, want: number, returned: number): Take {
  return take(giveBack(state, cfg, now, returned), cfg, now, Math.max(1, Math.floor(want)));
}

/** A busy isolate's lease lasts about this long at its own demand: one object call per isolate per 8 s. */
export const LEASE_TARGET_MS = 8_000;
/** An unspent lease goes back to the bucket (with the isolate's next ask) after 1-20 s. */
export const MIN_LEASE_TTL_MS = 1_000;
export const MAX_LEASE_TTL_MS = 20_000;
/** The shortest window the isolate's demand is measured over (bursts read as their per-second rate). */
const MIN_DEMAND_WINDOW_MS = 250;

/** Requests per second an isolate saw for a source (spent or refused) since its last ask. */
export function observedDemand(seen: number, askedAt: number | null, now: number): number {
  if (askedAt === null) return 0;
  return (seen * 1_000) / Math.max(MIN_DEMAND_WINDOW_MS, now - askedAt);
}

export interface LeasePlan {
  /** Tokens to ask for: leaseTargetMs (jittered) of the isolate's demand, 1 to leaseSize(cfg). */
  want: number;
  /** How long that lasts at the demand (capped at MAX_LEASE_TTL_MS). */
  lastsMs: number;
  /** When its unspent tokens are given back: twice that, 1-20 s. */
  ttlMs: number;
}

/**
 * How long a lease aims to last: LEASE_TARGET_MS, but at most half the limit's period, so the
 * tokens all isolates hold at the limit stay within half the bucket (a 1 s limit: 500 ms leases;
 * the full 8 s from a 16 s period on).
 */
export function leaseTargetMs(cfg: BucketConfig): number {
  return Math.min(LEASE_TARGET_MS, (cfg.periodS * 1_000) / 2);
}

/**
 * The lease an isolate asks for at `demandPerS` (0: nothing known yet, ask for one token). The
 * target is jittered by `random` in [0, 1) to [0.5, 1.5) × so isolates that started together
 * (a deploy, an onset) do not keep asking in the same second.
 */
export function planLease(cfg: BucketConfig, demandPerS: number, random: number): LeasePlan {
  if (demandPerS <= 0) return { want: 1, lastsMs: MIN_LEASE_TTL_MS, ttlMs: MIN_LEASE_TTL_MS };
  const target = leaseTargetMs(cfg) * (0.5 + random);
  const want = Math.max(1, Math.min(leaseSize(cfg), Math.ceil((demandPerS * target) / 1_000)));
  const lastsMs = Math.min(MAX_LEASE_TTL_MS, (want * 1_000) / demandPerS);
  return { want, lastsMs, ttlMs: Math.min(MAX_LEASE_TTL_MS, Math.max(MIN_LEASE_TTL_MS, 2 * lastsMs)) };
}

/**
 * The earliest next ask after a lease call. A full grant: as soon as the tokens run out (the demand
 * rose). A short grant or a refusal (the bucket is contended): not before the asked-for lease would
 * have lasted, so N isolates at or above the limit make about N ÷ 8 s calls, not one per request;
 * but a refusal whose next token is 1 s or more away waits at least 1 s and never past that token,
 * so a small limit's Retry-After still counts down to its refill.
 */
export function nextAskAt(plan: LeasePlan, granted: number, retryAfterMs: number, now: number): number {
  if (granted === 0 && retryAfterMs >= MIN_LEASE_TTL_MS) return now + Math.max(MIN_LEASE_TTL_MS, Math.min(plan.lastsMs, retryAfterMs));
  if (granted === 0) return now + Math.max(retryAfterMs, plan.lastsMs);
  return granted < plan.want ? now + plan.lastsMs : now;
}
