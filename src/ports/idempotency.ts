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
}

/** One shard's RPC surface (keys spread over shards by hash). */
export interface IdempotencyShardRpc extends Rpc.DurableObjectBranded {
  /** `settled`: answers of earlier claims to store first (they ride on this call instead of their own). */
  claim(req: ClaimRequest, settled?: readonly SettledKey[]): Promise<ClaimResult>;
  completeMany(settled: readonly SettledKey[]): void;
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
   * resolves once it is stored either way. Concurrent duplicates wait for it meanwhile.
   */
  complete(keyHash: string, key: string, answer: StoredAnswer, defer?: boolean): Promise<void>;
  release(keyHash: string, key: string): Promise<void>;
  alias(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<AliasResult>;
  repoint(aliasHash: string, alias: string, owner: string, windowMs: number): Promise<void>;
  peek(keyHash: string, key: string): Promise<PeekResult>;
}
