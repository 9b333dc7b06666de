// R2 claim check (ports/payloads): bodies too large for a queue message are stored by message id
// and fetched back; a body shared by a fanned-out event's copies is counted in D1 (payload_shares)
// and deleted with its last share.
import { payloadKey } from "../core/envelope";
import type { PayloadStore } from "../ports/payloads";

export function r2PayloadStore(bucket: R2Bucket, db: D1Database): PayloadStore {
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
    async share(key, holders) {
      if (holders.length === 0) return;
      await db.batch(holders.map((holder) => db.prepare("INSERT OR IGNORE INTO payload_shares (key, holder) VALUES (?, ?)").bind(key, holder)));
    },
    async release(key, holder) {
      // One transaction: of two holders releasing at once, exactly one sees the count reach zero.
      const [, , left] = await db.batch([
        db.prepare("SELECT COUNT(*) AS n FROM payload_shares WHERE key = ?").bind(key),
        db.prepare("DELETE FROM payload_shares WHERE key = ? AND holder = ?").bind(key, holder),
        db.prepare("SELECT COUNT(*) AS n FROM payload_shares WHERE key = ?").bind(key),
      ]);
      if (((left?.results[0] as { n?: number } | undefined)?.n ?? 0) === 0) await bucket.delete(key);
    },
  };
}
