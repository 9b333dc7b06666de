// The ingress body reader in workerd: bodies land once in one buffer (large reads into a buffer
// sized from Content-Length), chunked byte streams grow that buffer up to the limit, and every
// length lie is still caught.
import { describe, expect, it } from "vitest";
import { readBodyLimited } from "../../src/http/body";

const URL_BASE = "https://gateway.test/webhooks/open";

/** A byte stream (BYOB-capable, like a request body from the network) of `total` bytes of 'a'. */
function byteStream(total: number, chunk = 7 * 1024): ReadableStream<Uint8Array> {
  let left = total;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (left <= 0) {
        controller.close();
        return;
      }
      const n = Math.min(chunk, left);
      left -= n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
}

function post(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request(URL_BASE, { method: "POST", body, headers });
}

describe("readBodyLimited", () => {
  it("gets bodies here that support BYOB reads, as network request bodies do (the one-buffer path)", () => {
    expect(() => post("x").body?.getReader({ mode: "byob" })).not.toThrow();
    expect(() => post(byteStream(10)).body?.getReader({ mode: "byob" })).not.toThrow();
  });

  it("reads a body with a Content-Length byte-exact", async () => {
    const text = JSON.stringify({ type: "user.created", pad: "x".repeat(3000) });
    const read = await readBodyLimited(post(text), 1024 * 1024);
    expect(read.kind).toBe("ok");
    if (read.kind === "ok") expect(new TextDecoder().decode(read.bytes)).toBe(text);
  });

  it("reads a byte stream without Content-Length that outgrows the first buffer", async () => {
    const read = await readBodyLimited(post(byteStream(300 * 1024)), 1024 * 1024);
    expect(read.kind).toBe("ok");
    if (read.kind === "ok") {
      expect(read.bytes.byteLength).toBe(300 * 1024);
      expect(read.bytes.every((b) => b === 0x61)).toBe(true);
    }
  });

  it("accepts a byte stream of exactly the limit and refuses one byte more", async () => {
    const limit = 200 * 1024;
    expect((await readBodyLimited(post(byteStream(limit)), limit)).kind).toBe("ok");
    expect((await readBodyLimited(post(byteStream(limit + 1)), limit)).kind).toBe("too_large");
  });

  it("refuses a byte stream whose length differs from its Content-Length, and one that lies low past the limit", async () => {
    expect((await readBodyLimited(post(byteStream(10), { "Content-Length": "100" }), 1024)).kind).toBe("bad_length");
    expect((await readBodyLimited(post(byteStream(100), { "Content-Length": "10" }), 1024)).kind).toBe("bad_length");
    expect((await readBodyLimited(post(byteStream(5000), { "Content-Length": "10" }), 1024)).kind).toBe("too_large");
  });

  it("reads an empty body", async () => {
    const read = await readBodyLimited(post(""), 1024);
    expect(read.kind === "ok" && read.bytes.byteLength).toBe(0);
  });
});
