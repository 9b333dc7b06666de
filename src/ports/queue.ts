// The delivery queue as the use cases see it: envelopes to the binding each one names.
import type { Envelope } from "../core/envelope";

export interface DeliveryQueue {
  /** Sends one envelope to the Queue producer binding it names; throws when the hand-off failed. */
  send(envelope: Envelope, delaySeconds?: number): Promise<void>;
  /**
   * Sends envelopes bound for one queue binding in as few batches as the platform allows (100
   * messages or 256 KB a batch); throws when any batch failed (some may have been sent: delivery is
   * at least once, and every copy carries the same message id).
   */
  sendBatch(envelopes: readonly Envelope[]): Promise<void>;
}
