import { describe, expect, it } from "vitest";
import { baseConfig, call, envWith, signedRequest } from "./helpers";

describe("async accept", () => {
  it("answers 202 with the message id and trace id once the event is queued", async () => {
    const e = envWith(baseConfig());
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created", user_id: "u1" })), e);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ mode: "async", status: "queued" });
    expect(res.headers.get("X-Message-Id")).toBe(body["id"]);
    expect(res.headers.get("X-Trace-Id")).toBe(body["trace_id"]);
    expect(res.headers.get("Strict-Transport-Security")).toBe("max-age=31536000; includeSubDomains");
  });
});
