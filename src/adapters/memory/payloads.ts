// In-memory payload store (ports/payloads PayloadStore): bodies by key, as the R2 claim check keeps them.
import { payloadKey } from "../../core/envelope";
import type { PayloadStore } from "../../ports/payloads";

export function memoryPayloadStore(): PayloadStore {
  const objects = new Map<string, Uint8Array>();
  return {
    async put(messageId, bytes) {
      const key = payloadKey(messageId);
      objects.set(key, bytes.slice());
      return { kind: "r2", key, size: bytes.byteLength };
    },
    async get(ref) {
      if (ref.kind === "inline") return ref.bytes;
      return objects.get(ref.key)?.slice();
    },
    async delete(ref) {
      if (ref.kind === "r2") objects.delete(ref.key);
    },
    async deleteKeys(keys) {
      for (const key of keys) objects.delete(key);
    },
  };
}
