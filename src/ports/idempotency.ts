// The dedup store as the use cases see it, and the types the IdempotencyShard object and its client share.

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  body_encoding: "utf8" | "base64";
}

/** A signature digest seen before, and the idempotency key it was first accepted under. */
export type AliasResult = { kind: "new" } | { kind: "seen"; owner: string };
export type PeekResult = { kind: "done"; answer: StoredAnswer } | { kind: "pending" } | { kind: "absent" };

export type ClaimResult = { kind: "new" } | { kind: "duplicate"; answer: StoredAnswer } | { kind: "conflict" } | { kind: "busy" };

export interface ClaimRequest {
  key: string;
  bodyHash: string;
  windowMs: number;
  /** How long the claimer may hold the key before another request may take it over. */
  leaseMs: number;
  /** How long a concurrent duplicate waits for the first answer. */
  waitMs: number;
}

/** A key's first answer, to be stored for its duplicates. */
export interface SettledKey {
  key: string;
  answer: StoredAnswer;
  /** A reserved key's `own` after its send (the row is written with this owner), not a claim's `complete`. */
  own?: OwnFacts;
}

/** What `own` needs beyond the key and the answer. */
export interface OwnFacts {
  owner: string;
  bodyHash: string;
  windowMs: number;
}

/**
 * Reserve, send, own (queued async accepts, docs/dedup.md): before its send, the accept's message
 * `owner` (its message id) reserves the key in the shard's memory (no row: duplicates wait for it,
 * nothing is enqueued for them); after the send it takes the key with its answer in one row.
 */
export interface ReserveRequest {
  key: string;
  bodyHash: string;
  owner: string;
  /** How long the reservation holds the key if its owner never comes back. */
  leaseMs: number;
  /** How long a concurrent duplicate waits for the first answer. */
  waitMs: number;
}

export interface OwnRequest {
  key: string;
  bodyHash: string;
  owner: string;
  answer: StoredAnswer;
  windowMs: number;
  /** How long to wait for a claim-first request that holds the key (sync, ordered) to answer. */
  waitMs: number;
}

/** `own`: the key is this owner's (new, or already taken for it by the consumer). */
export type OwnResult = { kind: "own" } | Exclude<ClaimResult, { kind: "new" }>;

/** The consumer's question for a first-attempt message sent before its claim: is `key` its owner's? */
export interface OwnerCheck {
  key: string;
  bodyHash: string;
  owner: string;
  answer: StoredAnswer;
  windowMs: number;
}

/**
 * `deliver`: the key is the owner's (taken for it now when it had no row: its request died or failed
 * between send and claim, or the claim is still on its way). `drop`: another request owns the key
 * for good (this message is a duplicate's, or its request was answered 409). `wait`: a claim-first
 * request holds the key under a lease; look again after `retryMs`.
 */
export type OwnerVerdict = { kind: "deliver" } | { kind: "drop"; owner: string | null } | { kind: "wait"; retryMs: number };

/** One shard's RPC surface (keys spread over shards by hash). */
export interface IdempotencyShardRpc extends Rpc.DurableObjectBranded {
  /** `settled`: answers of earlier claims to store first (they ride on this call instead of their own). */
  claim(req: ClaimRequest, settled?: readonly SettledKey[]): Promise<ClaimResult>;
  completeMany(settled: readonly SettledKey[]): Promise<void>;
  reserve(req: ReserveRequest, settled?: readonly SettledKey[]): Promise<ClaimResult>;
  unreserve(key: string, owner: string): void;
  own(req: OwnRequest): Promise<OwnResult>;
  checkOwners(checks: readonly OwnerCheck[]): Promise<OwnerVerdict[]>;
  alias(alias: string, owner: string, windowMs: number): Promise<AliasResult>;
  repoint(alias: string, owner: string, windowMs: number): Promise<void>;
  peek(key: string): PeekResult;
  complete(key: string, answer: StoredAnswer): void;
  release(key: string): void;
}

export interface IdempotencyStore {
  claim(req: ClaimRequest & { keyHash: string }): Promise<ClaimResult>;
  /**
   * Stores a claimed key's answer for its duplicates. `defer`: the answer may wait (up to a fraction
   * of a second, far below the claim's lease) to ride on another call to the same shard; the promise
   * resolves once it is stored either way. Concurrent duplicates wait for it meanwhile. `own`: the
   * key was reserved (not claimed) and this is its `own` after the send.
   */
  complete(keyHash: string, key: string, answer: StoredAnswer, defer?: boolean, own?: OwnFacts): Promise<void>;
  release(keyHash: string, key: string): Promise<void>;
  /** Holds a key for an owner about to send (memory only): `new`, or the key's duplicate/conflict/busy answer. */
  reserve(req: ReserveRequest & { keyHash: string }): Promise<ClaimResult>;
  /** Gives a reservation back (its send failed). */
  unreserve(keyHash: string, key: string, owner: string): Promise<void>;
  /** The consumer's owner checks, one call per shard; verdicts in the order of `checks`. */
  checkOwners(checks: readonly (OwnerCheck & { keyHash: string })[]): Promise<OwnerVerdict[]>;
  alias(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<AliasResult>;
  repoint(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<void>;
  peek(keyHash: string, key: string): Promise<PeekResult>;
}
