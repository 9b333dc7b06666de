// In-memory payload store (ports/payloads PayloadStore): bodies by key, as the R2 claim check keeps them.
import { payloadKey } from "../../core/envelope";
import type { PayloadStore } from "../../ports/payloads";

export function memoryPayloadStore(): PayloadStore {
  const objects = new Map<string, Uint8Array>();
  const shares = new Map<string, Set<string>>();
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
    async share(key, holders) {
      const set = shares.get(key) ?? new Set<string>();
      for (const holder of holders) set.add(holder);
      shares.set(key, set);
    },
    async release(key, holder) {
      const set = shares.get(key);
      set?.delete(holder);
      if (set === undefined || set.size === 0) {
        shares.delete(key);
        objects.delete(key);
      }
    },
  };
}
