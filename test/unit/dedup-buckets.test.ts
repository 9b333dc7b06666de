// The dedup shard's key tables: bucket widths, which bucket a key goes in, and table names.
import { describe, expect, it } from "vitest";
import { bucketEnd, bucketMs, keyTableEnd, keyTableName, MIN_BUCKET_MS } from "../../src/core/dedup-buckets";

const DAY = 86_400_000;

describe("dedup key buckets", () => {
  it("is one window wide, and never narrower than an hour", () => {
    expect(bucketMs(DAY)).toBe(DAY);
    expect(bucketMs(2000)).toBe(MIN_BUCKET_MS);
  });

  it("puts a key in the bucket that ends after its expiry, so dropping a passed bucket drops only expired keys", () => {
    const expiresAt = 5 * DAY + 123;
    const end = bucketEnd(expiresAt, DAY);
    expect(end).toBe(6 * DAY);
    expect(end).toBeGreaterThan(expiresAt);
    // A key claimed at t with window W lands in a bucket ending within (t + W, t + 2W]: at most two live tables.
    for (const t of [0, 1, DAY - 1, 3 * DAY + 7]) {
      const e = bucketEnd(t + DAY, DAY);
      expect(e).toBeGreaterThan(t + DAY);
      expect(e).toBeLessThanOrEqual(t + 2 * DAY);
    }
    expect(bucketEnd(DAY, DAY)).toBe(2 * DAY);
  });

  it("names tables by their bucket end and reads the name back", () => {
    expect(keyTableName(172_800_000)).toBe("keys_172800000");
    expect(keyTableEnd("keys_172800000")).toBe(172_800_000);
    expect(keyTableEnd("keys")).toBeNull();
    expect(keyTableEnd("aliases")).toBeNull();
    expect(keyTableEnd("keys_1; DROP")).toBeNull();
  });
});
