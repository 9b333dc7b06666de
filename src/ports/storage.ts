// Storage ports: what the use cases need from the dead-letter, fallback and alert stores, and the
// rows they exchange. Backends: adapters/d1 (production), adapters/memory; every backend passes
// test/runtime/storage-conformance.test.ts, which states the contract below case by case.
import type { DeadLetterReason } from "../core/dead-letter";
import type { Envelope, FallbackReason } from "../core/envelope";
import type { PayloadStore } from "./payloads";

/** `dead` → `replaying` (claimed) → `replayed`; back to `dead` when the replay dead-letters again. */
export type DeadLetterStatus = "dead" | "replaying" | "replayed";

/** A position in a newest-first listing: the sort key `(at, id)` of the last row of a page. */
export interface PageCursor {
  at: number;
  id: string;
}

/** One page, newest first; `next` is set when more rows follow (pass it back as `after`). */
export interface Page<T> {
  rows: T[];
  next: PageCursor | null;
}

/** Most dead letters `writeMany` takes at once (one transaction). */
export const MAX_DEAD_LETTER_BATCH = 100;

export interface DeadLetterInput {
  envelope: Envelope;
  reason: DeadLetterReason;
  attempts: number;
  lastStatus: number | null;
  /** Kept to its first 1,000 characters. */
  lastError: string | null;
  failedAt: number;
}

/** A queue message that is not a readable envelope, kept raw so an operator can inspect it. */
export interface MalformedMessage {
  queueMessageId: string;
  /** What is wrong with it (no secrets). */
  problem: string;
  /** The message as JSON text (kept to 60,000 characters by the caller). */
  raw: string;
  at: number;
}

/** A stored dead letter. `headers` and `policy` are the JSON texts the event was accepted with. */
export interface DeadLetterRow {
  id: string;
  /** The message (webhook-id); equals `id` unless the rule fans out to several destinations. */
  message_id: string;
  source: string;
  event_type: string;
  route: string;
  endpoint: string;
  queue: string;
  reason: DeadLetterReason;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  trace_id: string;
  idempotency_key: string | null;
  content_type: string | null;
  headers: string;
  /** The inline body (a malformed message's JSON text as UTF-8); null when the body is in the payload store. */
  body: Uint8Array | null;
  body_ref: string | null;
  body_size: number;
  policy: string;
  ordering_key: string | null;
  sequence: number | null;
  created_at: number;
  failed_at: number;
  status: DeadLetterStatus;
  replay_count: number;
  replayed_at: number | null;
  /** When the row was last claimed for replay (ms). */
  claimed_at: number | null;
}

/** The columns a listing returns (no headers, body or policy). */
export const DEAD_LETTER_SUMMARY_FIELDS = [
  "id",
  "message_id",
  "source",
  "event_type",
  "route",
  "endpoint",
  "reason",
  "attempts",
  "last_status",
  "last_error",
  "trace_id",
  "created_at",
  "failed_at",
  "status",
  "replay_count",
  "replayed_at",
  "ordering_key",
  "sequence",
  "body_size",
] as const satisfies readonly (keyof DeadLetterRow)[];

export type DeadLetterSummary = Pick<DeadLetterRow, (typeof DEAD_LETTER_SUMMARY_FIELDS)[number]>;

/** Equality filters; an undefined field matches every row. */
export interface DeadLetterFilter {
  /** Every destination's item of one message (docs/contract.md §5). */
  message_id?: string | undefined;
  source?: string | undefined;
  event_type?: string | undefined;
  endpoint?: string | undefined;
  reason?: DeadLetterReason | undefined;
  route?: string | undefined;
}

export interface DeadLetterQuery {
  filter: DeadLetterFilter;
  /** Rows in any of these statuses (the admin API asks for one). */
  statuses: readonly DeadLetterStatus[];
  limit: number;
  after: PageCursor | null;
}

/** Which rows a replay claims: the filter, and for automated replay the extra conditions. */
export interface ClaimFilter extends DeadLetterFilter {
  id?: string;
  /** Only rows replayed fewer times than this. */
  maxReplayCount?: number;
  /** Only rows of unordered routes (no ordering key). */
  unorderedOnly?: boolean;
}

/** What a delete removed (its body reference, so the caller deletes the body too). */
export type DeletedDeadLetter = Pick<DeadLetterRow, "id" | "route" | "endpoint" | "status" | "body_ref" | "ordering_key">;

/** Dead letters waiting (status `dead`) per route and endpoint. */
export interface RouteCount {
  route: string;
  endpoint: string;
  count: number;
}

/** The outcome of claimed replays, recorded together. */
export interface ReplaySettlement {
  /** Handed to delivery: count and time recorded, `replaying` → `replayed` (a row already back to `dead` stays `dead`). */
  replayed: readonly string[];
  /** Not handed to delivery: `replaying` → `dead`, listed and replayable again. */
  released: readonly string[];
  at: number;
}

/** What a purge removed: rows, the stored bodies only they referred to, and shares of fanned-out bodies. */
export interface PurgeResult {
  deleted: number;
  bodyRefs: string[];
  /** Bodies shared by a fanned-out event's copies: released per destination (ports/payloads `release`). */
  shared: { key: string; holder: string }[];
}

export interface DeadLetterStore {
  /**
   * Upserts by message id: a redelivered message never makes a second row; a replay that fails
   * again lands on its old row, back to `dead`, with the higher replay count kept.
   */
  write(input: DeadLetterInput): Promise<void>;
  /** Upserts up to MAX_DEAD_LETTER_BATCH dead letters in one transaction: all land or none (more throws). */
  writeMany(inputs: readonly DeadLetterInput[]): Promise<void>;
  /** Keeps a malformed queue message once (id `queue_{queueMessageId}`); a second write changes nothing. */
  writeMalformed(message: MalformedMessage): Promise<void>;
  get(id: string): Promise<DeadLetterRow | null>;
  /** Newest first by `(failed_at, id)`; the cursor is the last row's `(failed_at, id)`. */
  list(query: DeadLetterQuery): Promise<Page<DeadLetterSummary>>;
  /** Deletes a row unless it is claimed for replay right now; null when nothing was deleted. */
  delete(id: string): Promise<DeletedDeadLetter | null>;
  /**
   * Moves up to `limit` matching `dead` rows (newest first, never a malformed one) to `replaying`
   * at `now` and returns them, newest first: a compare-and-swap, so concurrent claims never return
   * the same row twice.
   */
  claimForReplay(filter: ClaimFilter, limit: number, now: number): Promise<DeadLetterRow[]>;
  /** Records the replays of claimed rows and gives back the rest, in one transaction. */
  settleReplays(settlement: ReplaySettlement): Promise<void>;
  countWaitingByRoute(): Promise<RouteCount[]>;
  /**
   * Deletes up to `limit` rows, oldest first, that failed (and were last replayed) before `before`,
   * never a claimed one; returns how many and their body references.
   */
  purgeOlderThan(before: number, limit: number): Promise<PurgeResult>;
  /** Gives back up to `limit` claims made before `before` (their Worker died); returns how many. */
  releaseStaleClaims(before: number, limit: number): Promise<number>;
}

/** One sync-to-async fallback, for reconciliation. */
export interface FallbackRow {
  id: string;
  trace_id: string;
  source: string;
  event_type: string;
  route: string;
  endpoint: string;
  reason: FallbackReason;
  at: number;
}

/** Where a fallback's event stands (reconciliation); `delivered` is final. */
export const FALLBACK_STATES = ["waiting", "delivered", "dead_lettered"] as const;
export type FallbackState = (typeof FALLBACK_STATES)[number];

/** A fallback as stored, with its tracking fields. */
export interface FallbackView extends FallbackRow {
  state: FallbackState;
  settled_at: number | null;
  /** When the cron flagged it as not delivered within reconcile_after_s (then "unreconciled" while waiting). */
  flagged_at: number | null;
  /** Replays asked for by the consumer's reconcile_url (at most MAX_RECONCILE_REPLAYS). */
  replays: number;
  reconciled_at: number | null;
  confirmed_at: number | null;
}

export const MAX_RECONCILE_REPLAYS = 3;

export interface FallbackFilter {
  source?: string | undefined;
  endpoint?: string | undefined;
  reason?: FallbackReason | undefined;
  /** `unreconciled`: still waiting and flagged by the cron. */
  state?: FallbackState | "unreconciled" | undefined;
}

export interface FallbackStore {
  /** Records a fallback once per message id (the first record stays), state `waiting`. */
  record(row: FallbackRow): Promise<void>;
  /** Newest first by `(at, id)`. */
  list(query: { filter: FallbackFilter; limit: number; after: PageCursor | null }): Promise<Page<FallbackView>>;
  /** Records the event's final state; a `delivered` one stays delivered. No-op for an unknown id. */
  settle(id: string, state: Exclude<FallbackState, "waiting">, at: number): Promise<void>;
  /**
   * Flags (compare-and-swap on flagged_at) up to `limit` waiting, unflagged fallbacks of `route` accepted
   * before `before`, at `now`; returns the ones this call flagged, so a second run flags nothing twice.
   */
  flagOverdue(route: string, before: number, now: number, limit: number): Promise<FallbackView[]>;
  /** An endpoint's fallbacks accepted in [since, slot), not confirmed, not yet handled by reconcile slot `slot`; oldest first. */
  reconcileCandidates(endpoint: string, since: number, slot: number, limit: number): Promise<FallbackView[]>;
  /** The consumer has these: confirmed at `at`, and handled by `slot`. */
  confirm(ids: readonly string[], slot: number, at: number): Promise<void>;
  /**
   * Marks a missing fallback handled by `slot` (compare-and-swap: false when that slot already
   * handled it); with `countReplay`, also counts one replay and fails once MAX_RECONCILE_REPLAYS were made.
   */
  claimReconcile(id: string, slot: number, countReplay: boolean): Promise<boolean>;
}

/** An alert condition, keyed so that each condition fires at most once per interval. */
export interface AlertClaim {
  key: string;
  kind: string;
  /** The summary line (no secrets, no URLs). */
  detail: string;
}

export interface AlertStore {
  /**
   * True when this caller won the right to fire the alert at `now`: its last firing (if any) was at
   * least `intervalMs` ago. A compare-and-swap: concurrent claims within an interval win once.
   */
  claim(alert: AlertClaim, now: number, intervalMs: number): Promise<boolean>;
  /**
   * Moves the firing claimed at `claimedAt` back to `firedAt`, unless someone fired the alert since:
   * a firing whose notification failed may be claimed again sooner.
   */
  backdate(key: string, claimedAt: number, firedAt: number): Promise<void>;
  /** Keeps fired alerts until their tier's grouped notification goes out (a second add of an id changes nothing). */
  addPending(rows: readonly PendingAlert[]): Promise<void>;
  /** The tiers that have pending alerts. */
  pendingTiers(): Promise<string[]>;
  /** Up to `limit` of a tier's pending alerts, oldest first. */
  listPending(tier: string, limit: number): Promise<PendingAlert[]>;
  /** Forgets pending alerts once notified. */
  removePending(ids: readonly string[]): Promise<void>;
}

/** A fired alert waiting for its tier's notification (contract §8: one per tier per alert_group_window_s). */
export interface PendingAlert {
  id: string;
  tier: string;
  /** The alert as JSON (no secrets, no URLs). */
  payload: string;
  at: number;
}

/** The stores of one invocation. */
export interface Stores {
  deadLetters: DeadLetterStore;
  fallbacks: FallbackStore;
  alerts: AlertStore;
  payloads: PayloadStore;
}
