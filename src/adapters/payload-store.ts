// R2 claim check (ports/payloads): bodies too large for a queue message are stored by message id
// and fetched back.
import { payloadKey } from "../core/envelope";
import type { PayloadStore } from "../ports/payloads";

export function r2PayloadStore(bucket: R2Bucket): PayloadStore {
  return {
    async put(messageId, bytes, contentType) {
      const key = payloadKey(messageId);
      await bucket.put(key, bytes, contentType === null ? undefined : { httpMetadata: { contentType } });
      return { kind: "r2", key, size: bytes.byteLength };
    },
    async get(ref) {
      if (ref.kind === "inline") return ref.bytes;
      const object = await bucket.get(ref.key);
      if (object === null) return undefined;
      return new Uint8Array(await object.arrayBuffer());
    },
    async delete(ref) {
      if (ref.kind === "r2") await bucket.delete(ref.key);
    },
    async deleteKeys(keys) {
      if (keys.length > 0) await bucket.delete([...keys]);
    },
  };
}
