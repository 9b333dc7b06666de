// Provider URL registrations answered at the edge before the method check (Dropbox's challenge GET,
// Okta's verification GET, Trello's HEAD, Asana's X-Hook-Secret POST), only on sources of that
// preset: nothing is queued, and every other source keeps the contract's 405 / 401.
import { describe, expect, it } from "vitest";
import type { SchemeName } from "../../src/core/signatures";
import { baseConfig, call, envWith, expectProblem, expectStamped, recordingQueue } from "./helpers";

const BASE = "https://gateway.test/webhooks";

function env() {
  const q = recordingQueue();
  const source = (scheme: SchemeName) => ({ verify: { scheme, secrets: ["PROVIDER_SECRET"], tolerance_s: 300 } });
  const config = baseConfig({
    sources: {
      dropbox: source("dropbox"),
      okta: source("okta"),
      trello: source("trello"),
      asana: source("asana"),
      notion: source("notion"),
      github: source("github"),
      strict: { ...source("dropbox"), min_tls_version: "1.3" },
    },
    routing_rules: [{ event_type: "*", mode: "async", endpoint: "profiles" }],
  });
  return { env: envWith(config, { DELIVERY_QUEUE: q.queue, PROVIDER_SECRET: "provider-secret" }), sent: q.sent };
}

async function expect405(res: Response): Promise<void> {
  await expectProblem(res, 405, "method-not-allowed");
  expect(res.headers.get("Allow")).toBe("POST");
}

describe("registration handshakes at the edge", () => {
  it("dropbox: GET ?challenge= is echoed as text/plain with nosniff; a GET without one is a 405", async () => {
    const { env: e, sent } = env();
    const res = await call(new Request(`${BASE}/dropbox?challenge=dGhpcyBpcyBh%3Cb%3E`), e);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/plain");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expectStamped(res);
    expect(await res.text()).toBe("dGhpcyBpcyBh<b>");
    await expect405(await call(new Request(`${BASE}/dropbox`), e));
    await expect405(await call(new Request(`${BASE}/dropbox?challenge=${"a".repeat(1025)}`), e));
    expect(sent).toHaveLength(0);
  });

  it("okta: GET with X-Okta-Verification-Challenge answers {verification}", async () => {
    const { env: e, sent } = env();
    const res = await call(new Request(`${BASE}/okta`, { headers: { "X-Okta-Verification-Challenge": "e-w8RYWxKvGpBfUDuUmEYg" } }), e);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(await res.json()).toEqual({ verification: "e-w8RYWxKvGpBfUDuUmEYg" });
    await expect405(await call(new Request(`${BASE}/okta`), e));
    expect(sent).toHaveLength(0);
  });

  it("trello: HEAD answers 200 with no body; other methods are 405", async () => {
    const { env: e, sent } = env();
    const res = await call(new Request(`${BASE}/trello`, { method: "HEAD" }), e);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    await expect405(await call(new Request(`${BASE}/trello`), e));
    expect(sent).toHaveLength(0);
  });

  it("asana: an unsigned POST with X-Hook-Secret is answered 200 echoing it; a signed-looking one is verified as usual", async () => {
    const { env: e, sent } = env();
    const res = await call(new Request(`${BASE}/asana`, { method: "POST", headers: { "X-Hook-Secret": "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81" } }), e);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Hook-Secret")).toBe("b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81");
    expect(await res.text()).toBe("");
    const forged = new Request(`${BASE}/asana`, { method: "POST", headers: { "X-Hook-Secret": "x", "X-Hook-Signature": "ab".repeat(32) }, body: "{}" });
    await expectProblem(await call(forged, e), 401, "invalid-signature");
    await expect405(await call(new Request(`${BASE}/asana?challenge=x`), e));
    expect(sent).toHaveLength(0);
  });

  it("notion: the unsigned verification_token POST is not answered at the edge (401; README: the operator's step)", async () => {
    const { env: e, sent } = env();
    const res = await call(
      new Request(`${BASE}/notion`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ verification_token: "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl" }),
      }),
      e,
    );
    await expectProblem(res, 401, "invalid-signature");
    expect(sent).toHaveLength(0);
  });

  it("a source of another scheme keeps the contract: GET/HEAD with any challenge are 405, an X-Hook-Secret POST is 401", async () => {
    const { env: e, sent } = env();
    await expect405(await call(new Request(`${BASE}/github?challenge=abc`), e));
    await expect405(await call(new Request(`${BASE}/github`, { headers: { "X-Okta-Verification-Challenge": "abc" } }), e));
    const head = await call(new Request(`${BASE}/github`, { method: "HEAD" }), e);
    expect(head.status).toBe(405);
    await expectProblem(await call(new Request(`${BASE}/github`, { method: "POST", headers: { "X-Hook-Secret": "abc" }, body: "{}" }), e), 401, "invalid-signature");
    await expect405(await call(new Request(`${BASE}/unknown?challenge=abc`), e));
    expect(sent).toHaveLength(0);
  });

  it("a source's transport requirement applies to its registration too", async () => {
    const { env: e } = env();
    const over = (tlsVersion: string) => new Request(`${BASE}/strict?challenge=abc`, { cf: { tlsVersion } } as RequestInit);
    await expect405(await call(over("TLSv1.2"), e));
    expect((await call(over("TLSv1.3"), e)).status).toBe(200);
  });
});
