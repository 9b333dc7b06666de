// The delivery queue as the use cases see it: envelopes to the binding each one names.
import type { Envelope } from "../core/envelope";

export interface DeliveryQueue {
  /** Sends one envelope to the Queue producer binding it names; throws when the hand-off failed. */
  send(envelope: Envelope, delaySeconds?: number): Promise<void>;
}
