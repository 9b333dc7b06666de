// Ordered delivery: what the use cases ask of the per-(route, key) stream, the OrderedStream object's
// RPC surface, and the head step the object runs through (a use case handed to it, never imported by it).
import type { Endpoint } from "../config/load";
import type { DeadLetterReason } from "../core/dead-letter";
import type { Envelope } from "../core/envelope";

export type OnFailure = "dead_letter_and_continue" | "block";

/** What the object needs to deliver when the live GATEWAY_CONFIG cannot be loaded (refreshed on every accept). */
export interface StreamSettings {
  endpoint: Endpoint;
  allowPrivateNetworks: boolean;
  onFailure: OnFailure;
}
export interface AcceptRequest {
  envelope: Envelope;
  key: string;
  settings: StreamSettings;
}
export interface AcceptResult {
  sequence: number;
  duplicate: boolean;
}
export interface ReplayResult {
  sequence: number;
  outcome: "resumed" | "queued" | "already_pending";
}
export interface ReleaseResult {
  released: boolean;
}
export interface StreamStatus {
  route: string | null;
  key: string | null;
  nextSequence: number;
  pending: number;
  blocked: boolean;
  alarm: number | null;
  head: { sequence: number; id: string; state: string; attempt: number; nextAt: number } | null;
}

export interface OrderedStreamRpc extends Rpc.DurableObjectBranded {
  accept(req: AcceptRequest): Promise<AcceptResult>;
  replay(envelope: Envelope): Promise<ReplayResult>;
  deadLetterDeleted(id: string): Promise<ReleaseResult>;
  status(): Promise<StreamStatus>;
}

/**
 * One ordered stream: a route's key, and on a rule with several destinations the destination too
 * (each destination keeps its own order and pace, docs/contract.md §5). `endpoint` is null otherwise.
 */
export interface StreamId {
  route: string;
  endpoint: string | null;
  key: string;
}

export interface OrderingPort {
  /** Durable accept into the envelope's stream, idempotent by message id (a transient failure is retried once). */
  accept(req: AcceptRequest): Promise<AcceptResult>;
  /** A dead letter of the key, replayed into its stream with its original sequence. */
  replay(envelope: Envelope & { ordering: { key: string; sequence: number } }): Promise<ReplayResult>;
  /** The dead letter of message `messageId` was deleted: a stream blocked on it moves on. */
  deadLetterDeleted(stream: StreamId, messageId: string): Promise<ReleaseResult>;
  status(stream: StreamId): Promise<StreamStatus>;
}

/** What the object records after one delivery step of its head event. */
export type HeadOutcome =
  | { kind: "delivered" }
  /** A retry, or a wait that spent no attempt (breaker open, secret missing). */
  | { kind: "later"; at: number; attempt: number; lastStatus: number | null; lastError: string | null }
  /** Neither the live config nor the snapshot can deliver it: try again later. */
  | { kind: "config_wait"; at: number }
  | { kind: "dead"; reason: DeadLetterReason; attempts: number; lastStatus: number | null; lastError: string | null };

export interface DeadHead {
  reason: DeadLetterReason;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export type DeadLetterWrite = { ok: true; onFailure: OnFailure } | { ok: false };

/** The delivery use case the OrderedStream object runs for its head event. */
export interface OrderedHeadStep {
  /** The longest one delivery of this event may take (the object's watchdog adds a margin). */
  timeoutMs(envelope: Envelope, settings: StreamSettings | null): number;
  /** One attempt (or a decision to wait or dead-letter), never throwing for an endpoint's failure. */
  deliver(envelope: Envelope, settings: StreamSettings | null): Promise<HeadOutcome>;
  /** Writes the head's dead letter; only after `ok` may the object move on or hold the key. */
  deadLetter(envelope: Envelope, dead: DeadHead, settings: StreamSettings | null): Promise<DeadLetterWrite>;
  /** After the object has forgotten a delivered event: drops its claim-checked body. */
  delivered(envelope: Envelope): Promise<void>;
  /** End of an alarm: buffered endpoint outcomes reach their guards now. */
  flush(): Promise<void>;
}
