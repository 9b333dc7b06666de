// GATEWAY_CONFIG as the Worker sees it: both binding forms, 500 config-invalid on every request
// with the problems logged, and the routing it drives (event type resolution order, rule matching).
import { afterEach, describe, expect, it } from "vitest";
import type { Envelope } from "../../src/core/envelope";
import type { ConfigInput } from "../../src/config/schema";
import { setLogSink } from "../../src/log";
import { baseConfig, call, envWith, expectProblem, recordingQueue, signedRequest, testEnv, SW_SECRET } from "./helpers";

const URL_BASE = "https://gateway.test";

afterEach(() => setLogSink(undefined));

function post(path: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_BASE + path, { method: "POST", body, headers });
}

describe("config binding forms", () => {
  it("accepts GATEWAY_CONFIG given as a JSON object (wrangler [vars])", async () => {
    const q = recordingQueue();
    const env = { ...testEnv, GATEWAY_CONFIG: baseConfig(), ACME_SECRET: SW_SECRET, DELIVERY_QUEUE: q.queue };
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" })), env);
    expect(res.status).toBe(202);
    expect(q.sent).toHaveLength(1);
  });

  it("accepts GATEWAY_CONFIG given as a JSON string (.dev.vars, secrets)", async () => {
    const q = recordingQueue();
    const env = { ...testEnv, GATEWAY_CONFIG: JSON.stringify(baseConfig()), ACME_SECRET: SW_SECRET, DELIVERY_QUEUE: q.queue };
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" })), env);
    expect(res.status).toBe(202);
    expect(q.sent).toHaveLength(1);
  });
});

describe("invalid config", () => {
  const invalid: Record<string, unknown> = {
    "a schema violation": { ...baseConfig(), routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "profiles", timeout_ms: -1, extra: 1 }] },
    "a rule naming a missing endpoint": { ...baseConfig(), routing_rules: [{ event_type: "user.*", mode: "async", endpoint: "nowhere" }] },
    "a private endpoint URL without allow_private_networks": { ...baseConfig(), allow_private_networks: false },
    "a string that is not JSON": "{ not json",
    "no config at all": undefined,
  };

  for (const [what, config] of Object.entries(invalid)) {
    it(`answers 500 config-invalid on every request for ${what}`, async () => {
      const env = config === undefined ? { ...testEnv, GATEWAY_CONFIG: undefined } : { ...testEnv, GATEWAY_CONFIG: config };
      const requests = [
        await signedRequest("/webhooks/acme", JSON.stringify({ type: "user.created" })),
        post("/webhooks/open/user.created", "{}"),
        post("/webhooks/nobody", "{}"),
        new Request(`${URL_BASE}/webhooks/acme`, { method: "GET" }),
        new Request(`${URL_BASE}/health`),
        new Request(`${URL_BASE}/somewhere/else`),
      ];
      for (const req of requests) await expectProblem(await call(req, env), 500, "config-invalid");
    });
  }

  it("logs every problem with its JSON path, and never puts them on the wire", async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const config = {
      ...baseConfig(),
      dedup_window_s: 7,
      routing_rules: [
        { event_type: "user.*", mode: "async", endpoint: "profiles" },
        { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 0 },
      ],
      unexpected_top_level: true,
    };
    const res = await call(post("/webhooks/open/user.created", "{}"), envWith(config));
    const body = await expectProblem(res, 500, "config-invalid");
    expect(body.detail).not.toContain("routing_rules");
    const logged = lines.map((l) => JSON.parse(l) as { event: string; problems?: string[] }).find((l) => l.event === "config_invalid");
    expect(logged?.problems).toEqual(
      expect.arrayContaining(["routing_rules[1].timeout_ms: must be a positive integer", expect.stringMatching(/^\(root\): unknown field.*unexpected_top_level/)]),
    );
  });
});

describe("event type resolution", () => {
  const config: ConfigInput = baseConfig({
    routing_rules: [
      { event_type: "from.path", mode: "async", endpoint: "profiles" },
      { event_type: "from.header", mode: "async", endpoint: "profiles" },
      { event_type: "from.field", mode: "async", endpoint: "profiles" },
    ],
  });
  const body = JSON.stringify({ type: "from.field" });

  async function resolved(path: string, headers: Record<string, string>, payload = body): Promise<string> {
    const q = recordingQueue();
    const res = await call(await signedRequest(path, payload, { headers }), envWith(config, { DELIVERY_QUEUE: q.queue }));
    expect(res.status).toBe(202);
    return (q.sent[0] as Envelope).event_type;
  }

  it("takes the path first, then the source's header, then the JSON field", async () => {
    expect(await resolved("/webhooks/acme/from.path", { "X-Event-Type": "from.header" })).toBe("from.path");
    expect(await resolved("/webhooks/acme", { "X-Event-Type": "from.header" })).toBe("from.header");
    expect(await resolved("/webhooks/acme", {})).toBe("from.field");
  });

  it("reads the header and field the source names", async () => {
    const cfg = baseConfig({ routing_rules: [{ event_type: "deep.kind", mode: "async", endpoint: "profiles" }] });
    cfg.sources["open"] = { verify: { scheme: "none", secrets: [] }, event_type_header: "X-Kind", event_type_field: "meta.kind" };
    const q = recordingQueue();
    const env = envWith(cfg, { DELIVERY_QUEUE: q.queue });
    expect((await call(post("/webhooks/open", JSON.stringify({ meta: { kind: "deep.kind" } })), env)).status).toBe(202);
    expect((await call(post("/webhooks/open", "{}", { "X-Kind": "deep.kind" }), env)).status).toBe(202);
    await expectProblem(await call(post("/webhooks/open", JSON.stringify({ type: "deep.kind" })), env), 422, "unknown-event-type");
    expect(q.sent).toHaveLength(2);
  });
});

describe("rule matching", () => {
  const endpoints = Object.fromEntries(["exact", "acme-exact", "prefix", "long-prefix", "catch-all", "acme-prefix"].map((n) => [n, { url: `http://127.0.0.1:9/${n}` }]));
  const config = baseConfig({
    endpoints,
    routing_rules: [
      { event_type: "*", mode: "async", endpoint: "catch-all" },
      { event_type: "user.*", mode: "async", endpoint: "prefix" },
      { event_type: "user.profile.*", mode: "async", endpoint: "long-prefix" },
      { event_type: "user.created", mode: "async", endpoint: "exact" },
      { event_type: "user.created", source: "acme", mode: "async", endpoint: "acme-exact" },
      { event_type: "order.*", source: "acme", mode: "async", endpoint: "acme-prefix" },
    ],
  });

  async function routed(source: "acme" | "open", eventType: string): Promise<[string, string]> {
    const q = recordingQueue();
    const env = envWith(config, { DELIVERY_QUEUE: q.queue });
    const path = `/webhooks/${source}/${eventType}`;
    const res = await call(source === "acme" ? await signedRequest(path, "{}") : post(path, "{}"), env);
    expect(res.status).toBe(202);
    const envelope = q.sent[0] as Envelope;
    return [envelope.endpoint, envelope.route];
  }

  it("prefers exact over prefix.* over *, and the longest prefix", async () => {
    expect(await routed("open", "user.created")).toEqual(["exact", "user.created"]);
    expect(await routed("open", "user.deleted")).toEqual(["prefix", "user.*"]);
    expect(await routed("open", "user.profile.updated")).toEqual(["long-prefix", "user.profile.*"]);
    expect(await routed("open", "invoice.paid")).toEqual(["catch-all", "*"]);
    expect(await routed("open", "user")).toEqual(["catch-all", "*"]);
  });

  it("applies a source-specific rule to its source only, ahead of the generic rule of the same pattern", async () => {
    expect(await routed("acme", "user.created")).toEqual(["acme-exact", "acme:user.created"]);
    expect(await routed("acme", "order.placed")).toEqual(["acme-prefix", "acme:order.*"]);
    expect(await routed("open", "order.placed")).toEqual(["catch-all", "*"]);
  });
});
