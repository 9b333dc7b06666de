// The claim-check store: bodies too large for a queue message, stored by message id.
import type { BodyRef } from "../core/envelope";

export interface PayloadStore {
  put(messageId: string, bytes: Uint8Array, contentType: string | null): Promise<BodyRef>;
  get(ref: BodyRef): Promise<Uint8Array | undefined>;
  delete(ref: BodyRef): Promise<void>;
}
