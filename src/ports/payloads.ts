// Payload port: the claim check for bodies too large to travel in a queue message, stored by
// message id and fetched back by reference. The R2 implementation is adapters/payload-store.ts.
import type { BodyRef } from "../core/envelope";

export interface PayloadStore {
  /** Stores a body under its message id; returns the reference an envelope carries. */
  put(messageId: string, bytes: Uint8Array, contentType: string | null): Promise<BodyRef>;
  /** The bytes of a reference (an inline one is its own bytes); undefined when the object is gone. */
  get(ref: BodyRef): Promise<Uint8Array | undefined>;
  /** Deletes a stored body; an inline reference has nothing to delete. */
  delete(ref: BodyRef): Promise<void>;
  /** Deletes stored bodies by key (a dead letter's `body_ref`), at most 1,000 at once; missing keys are no error. */
  deleteKeys(keys: readonly string[]): Promise<void>;
  /** Registers the destinations that share one stored body (a fanned-out event's copies). */
  share(key: string, holders: readonly string[]): Promise<void>;
  /**
   * `holder` is done with the body (delivered, or its dead letter removed): its share is dropped and
   * the object deleted once no share is left. A body that was never shared is deleted at once.
   */
  release(key: string, holder: string): Promise<void>;
}
