// The operator console's pages through app.request against real D1, R2 and EndpointGuard objects:
// overview (routes, open breakers, sparklines), dead letters (filters, pages, detail, replay, bulk
// replay, delete with post/redirect/get flashes), the endpoint page and its reset, and page sizes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import type { Envelope } from "../../src/core/envelope";
import type { CallReport } from "../../src/core/endpoint-report";
import type { ConfigInput } from "../../src/config/schema";
import { messageId } from "../../src/core/ids";
import { d1DeadLetterStore } from "../../src/adapters/d1";
import { createWorkerApp } from "../../src/wiring";
import { setLogSink } from "../../src/log";
import { baseConfig, callInstant, envWith, signedRequest, testEnv } from "./helpers";

const deadLetters = d1DeadLetterStore(testEnv.DB);

const ORIGIN = "https://gateway.test";
const UI = `${ORIGIN}/admin/ui`;
const MAX_PAGE_BYTES = 50 * 1024;
const NOW = Date.now();
let seq = 0;

/** Cookies as a browser keeps them: updated from every Set-Cookie, dropped at Max-Age=0. */
class Browser {
  private readonly jar = new Map<string, string>();
  csrf = "";
  constructor(private readonly env: Env) {}

  async request(path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = { Cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ") };
    let init: RequestInit = { headers };
    if (form !== undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      headers["Origin"] = ORIGIN;
      init = { method: "POST", headers, body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString() };
    }
    const ctx = createExecutionContext();
    const res = await createWorkerApp().fetch(new Request(`${UI}${path}`, init), this.env, ctx);
    await waitOnExecutionContext(ctx);
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/max-age=0/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** GETs a page, expects 200, keeps its CSRF token, returns its HTML. */
  async page(path: string, status = 200): Promise<string> {
    const res = await this.request(path);
    expect(res.status, path).toBe(status);
    const html = await res.text();
    expect(new TextEncoder().encode(html).byteLength, `${path} size`).toBeLessThan(MAX_PAGE_BYTES);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.csrf;
    return html;
  }

  /** POSTs a form; expects a 303 and returns where it leads. */
  async submit(path: string, form: Record<string, string> = {}): Promise<string> {
    const res = await this.request(path, form);
    expect(res.status, path).toBe(303);
    return (res.headers.get("Location") ?? "").replace("/admin/ui", "");
  }

  static async login(env: Env): Promise<Browser> {
    const browser = new Browser(env);
    expect(await browser.submit("/login", { token: "test-admin-token" })).toBe("");
    await browser.page("");
    return browser;
  }
}

function config(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return baseConfig({
    endpoints: {
      profiles: { url: "http://127.0.0.1:9/hooks?token=query-secret", signing_secrets: ["PROFILES_SIGNING_SECRET"] },
      payments: { url: "http://127.0.0.1:9/pay", circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 60_000 } },
    },
    routing_rules: [
      { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 500, fallback: "async_dlq" },
      { event_type: "user.*", mode: "async", endpoint: "profiles", ordering_key: "body:user_id" },
    ],
    ...overrides,
  });
}

function envelope(overrides: Partial<Envelope> = {}): Envelope {
  seq += 1;
  return {
    v: 1,
    id: messageId(NOW - seq, crypto.getRandomValues(new Uint8Array(10))),
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    parent_span_id: "b7ad6b7169203331",
    source: "acme",
    event_type: "user.created",
    route: "user.*",
    endpoint: "profiles",
    queue: "DELIVERY_QUEUE",
    idempotency_key: "idem-1",
    content_type: "application/json",
    headers: [
      ["X-Tenant", "t1"],
      ["X-Api-Key", "k-secret-value"],
    ],
    body: { kind: "inline", bytes: new TextEncoder().encode('{"type":"user.created","user":{"id":7}}') },
    received_at: NOW - 60_000,
    attempt: 6,
    policy: { matrix: [500, 1000], max_attempts: 3 },
    last_status: 503,
    last_error: "HTTP 503",
    fallback: null,
    replay_count: 0,
    ordering: null,
    ...overrides,
  };
}

async function seed(e: Envelope, failedAt = NOW - seq * 1000): Promise<Envelope> {
  await deadLetters.write({ envelope: e, reason: "exhausted", attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt });
  return e;
}

async function report(endpoint: string, reports: CallReport[]): Promise<void> {
  const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(endpoint));
  await stub.sync({ isolate: "console-test", inflight: 0, reports, cfg: { failureThreshold: 2, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 }, admit: false, probeLeaseMs: 0 });
}

const failure = (route: string, at = Date.now()): CallReport => ({ route, mode: "sync", delivered: false, breaker: "failure", latencyMs: 500, at });
const success = (route: string, latencyMs: number, at = Date.now()): CallReport => ({ route, mode: "async", delivered: true, breaker: "success", latencyMs, at });

let sent: Envelope[];
let env: Env;
let logs: string[];

beforeEach(async () => {
  logs = [];
  setLogSink((line) => logs.push(line));
  await testEnv.DB.prepare("DELETE FROM dead_letters").run();
  sent = [];
  const queue = { send: async (m: Envelope) => void sent.push(m), sendBatch: async () => undefined } as unknown as Queue<unknown>;
  env = envWith(config(), { DELIVERY_QUEUE: queue });
});

afterEach(() => {
  expect(logs.join("\n")).not.toMatch(/k-secret-value|test-admin-token|query-secret/);
  setLogSink(undefined);
});

const rowIds = (html: string): string[] => [...html.matchAll(/<a class="id" href="\/admin\/ui\/dlq\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1] ?? "");

describe("overview", () => {
  it("shows every route with mode, endpoint, timeout, fallback and ordering, and an open breaker with its time to half-open", async () => {
    await report("payments", [failure("payment.authorize"), failure("payment.authorize")]);
    await report("profiles", [success("user.*", 40), success("user.*", 40), success("user.*", 40), failure("user.*")]);
    const html = await (await Browser.login(env)).page("");
    const payments = /<tr><th scope="row"><a href="\/admin\/ui\/endpoints\/payments">payments<\/a><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(payments).toMatch(/<span class="b open">open<\/span> <span class="mut">half-open in (59 s|1 min)<\/span>/);
    expect(payments).toContain('aria-label="Last 2 hours per minute: 0 delivered, 2 failed, peak 2 a minute"');
    const profiles = /<tr><th scope="row"><a href="\/admin\/ui\/endpoints\/profiles">profiles<\/a><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(profiles).toContain('<span class="b closed">closed</span>');
    expect(profiles).toContain("75 %");
    const sync = /<tr><th scope="row"><code>payment.authorize<\/code><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(sync).toMatch(/<td>sync<\/td>.*payments.*class="b open".*500 ms.*async_dlq.*none/);
    const async = /<tr><th scope="row"><code>user\.\*<\/code><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(async).toMatch(/<td>async<\/td>.*profiles.*class="b closed".*6 attempts.*body:user_id.*75 %/);
    expect(html).toContain("Breakers not closed<b>1 of 2</b>");
  });

  it("shows each rule's event schema and the events it refused in the last hour", async () => {
    const withSchema = envWith(
      config({
        schemas: { user: { type: "object", required: ["user_id"] } },
        routing_rules: [
          { event_type: "payment.authorize", mode: "sync", endpoint: "payments", timeout_ms: 500 },
          { event_type: "user.*", mode: "async", endpoint: "profiles", schema: "user" },
        ],
      }),
    );
    for (let i = 0; i < 2; i++) {
      const res = await callInstant(await signedRequest("/webhooks/acme", '{"type":"user.created"}'), withSchema);
      expect(res.status).toBe(422);
    }
    const html = await (await Browser.login(withSchema)).page("");
    const users = /<tr><th scope="row"><code>user\.\*<\/code><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(users).toMatch(/<td><code>user<\/code><span class="mut"> 2 refused<\/span><\/td>/);
    const sync = /<tr><th scope="row"><code>payment.authorize<\/code><\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    expect(sync).toContain('<td><span class="mut">none</span></td>');
  });
});

describe("dead letters", () => {
  it("filters (blank fields ignored) and pages with a cursor, newest first", async () => {
    const profiles = [];
    for (let i = 0; i < 5; i++) profiles.push(await seed(envelope(), NOW - i * 1000));
    const pay = await seed(envelope({ source: "open", event_type: "payment.authorize", route: "payment.authorize", endpoint: "payments" }), NOW - 10_000);
    const browser = await Browser.login(env);
    expect(rowIds(await browser.page("/dlq?source=&endpoint=payments"))).toEqual([pay.id]);
    const first = await browser.page("/dlq?endpoint=profiles&limit=25&status=dead&reason=");
    expect(rowIds(first)).toEqual(profiles.map((p) => p.id));
    const paged = await browser.page("/dlq?limit=2");
    expect(rowIds(paged)).toEqual([profiles[0]?.id, profiles[1]?.id]);
    const next = /<a href="\/admin\/ui(\/dlq\?[^"]+)" rel="next">Next page<\/a>/.exec(paged)?.[1]?.replace(/&amp;/g, "&") ?? "";
    const second = await browser.page(next);
    expect(rowIds(second)).toEqual([profiles[2]?.id, profiles[3]?.id]);
    expect(second).toContain('<a href="/admin/ui/dlq?limit=2">First page</a>');
    expect(await browser.page("/dlq?reason=bogus", 400)).toContain("Invalid filter: reason: must be one of");
    expect(await browser.page("/dlq?cursor=not-a-cursor", 400)).toContain("cursor: not a page of this list");
  });

  it("shows a dead letter's fields, redacted headers, and its JSON body pretty-printed; a binary body as hex", async () => {
    const json = await seed(envelope());
    const browser = await Browser.login(env);
    const html = await browser.page(`/dlq/${json.id}`);
    expect(html).toContain(`<h1>Dead letter ${json.id}</h1>`);
    expect(html).toContain("<code>X-Api-Key</code></th><td><code>[redacted]</code>");
    expect(html).toContain("<code>X-Tenant</code></th><td><code>t1</code>");
    expect(html).toContain("JSON, pretty-printed");
    expect(html).toContain("{\n  &quot;type&quot;: &quot;user.created&quot;,\n  &quot;user&quot;: {\n    &quot;id&quot;: 7\n  }\n}");
    const binary = await seed(envelope({ content_type: "application/octet-stream", body: { kind: "inline", bytes: Uint8Array.from([0, 1, 2, 0xff, 0x41, 0x42]) } }));
    const hex = await browser.page(`/dlq/${binary.id}`);
    expect(hex).toContain("Binary, as a hex dump");
    expect(hex).toContain("00000000  00 01 02 ff 41 42");
    expect(hex).toContain("|....AB|");
    const download = await browser.request(`/dlq/${binary.id}/body`);
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment;/);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(Uint8Array.from([0, 1, 2, 0xff, 0x41, 0x42]));
    expect(await browser.page("/dlq/msg_does_not_exist", 404)).toContain("Dead letter not found");
  });

  it("replays one dead letter: post/redirect/get to the list, where it is gone and a flash says it was queued", async () => {
    const [a, b] = [await seed(envelope()), await seed(envelope())];
    const browser = await Browser.login(env);
    await browser.page(`/dlq/${a.id}`);
    expect(await browser.submit(`/dlq/${a.id}/replay`)).toBe("/dlq");
    expect(sent.map((e) => e.id)).toEqual([a.id]);
    const list = await browser.page("/dlq");
    expect(list).toContain(`<p class="flash ok" role="status">Replayed ${a.id}: queued for delivery (replay 1).</p>`);
    expect(rowIds(list)).toEqual([b.id]);
    expect(await browser.page("/dlq")).not.toContain('class="flash');
    expect(await browser.submit(`/dlq/${a.id}/replay`)).toBe(`/dlq/${a.id}`);
    expect(await browser.page(`/dlq/${a.id}`)).toContain("Not replayed: This dead letter is already replayed.");
    expect(sent).toHaveLength(1);
  });

  it("bulk replays exactly the filtered set and returns to the same filter", async () => {
    const keep = await seed(envelope());
    const pay = [
      await seed(envelope({ endpoint: "payments", route: "payment.authorize", event_type: "payment.authorize" })),
      await seed(envelope({ endpoint: "payments", route: "payment.authorize", event_type: "payment.authorize" })),
    ];
    const browser = await Browser.login(env);
    const list = await browser.page("/dlq?endpoint=payments");
    expect(list).toContain("Replay up to 200 dead letters matching endpoint payments");
    expect(await browser.submit("/dlq/replay", { endpoint: "payments", source: "" })).toBe("/dlq?endpoint=payments");
    expect(sent.map((e) => e.id).sort()).toEqual(pay.map((e) => e.id).sort());
    const after = await browser.page("/dlq?endpoint=payments");
    expect(after).toContain("Replayed 2 dead letters: queued for delivery.");
    expect(rowIds(after)).toEqual([]);
    expect(rowIds(await browser.page("/dlq"))).toEqual([keep.id]);
  });

  it("deletes a dead letter after confirmation, and says so", async () => {
    const doomed = await seed(envelope());
    const browser = await Browser.login(env);
    const detail = await browser.page(`/dlq/${doomed.id}`);
    expect(detail).toMatch(/<details class="confirm"><summary>Delete…<\/summary><form method="post" action="\/admin\/ui\/dlq\/[^"]+\/delete">/);
    expect(await browser.submit(`/dlq/${doomed.id}/delete`)).toBe("/dlq");
    expect(await deadLetters.get(doomed.id)).toBeNull();
    expect(await browser.page("/dlq")).toContain(`Deleted ${doomed.id}.`);
    await browser.submit(`/dlq/${doomed.id}/delete`);
    expect(await browser.page("/dlq")).toContain(`No dead letter ${doomed.id}.`);
  });
});

describe("endpoint page", () => {
  it("shows breaker transitions, per-route latency and resets the breaker", async () => {
    const e = envWith(
      config({
        endpoints: { flaky: { url: "http://127.0.0.1:9/flaky", circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 60_000 } } },
        routing_rules: [{ event_type: "flaky.*", mode: "async", endpoint: "flaky" }],
      }),
    );
    await report("flaky", [success("flaky.*", 120), failure("flaky.*"), failure("flaky.*")]);
    const browser = await Browser.login(e);
    const before = await browser.page("/endpoints/flaky");
    expect(before).toContain('<span class="b open">open</span>');
    expect(before).toMatch(/<td>closed<\/td><td>open<\/td>/);
    expect(before).toMatch(/aria-label="Latency by route, last hour: flaky\.\* p50 \d+ ms, p95 \d+ ms"/);
    expect(await browser.submit("/endpoints/flaky/reset")).toBe("/endpoints/flaky");
    const after = await browser.page("/endpoints/flaky");
    expect(after).toContain("The breaker of flaky is closed.");
    expect(after).toContain('<span class="b closed">closed</span>');
    expect(after).toMatch(/<td>open<\/td><td>closed<\/td>.*<td>closed<\/td><td>open<\/td>/s);
    expect(await browser.page("/endpoints/nope", 404)).toContain("No such endpoint");
  });
});

describe("page sizes", () => {
  it("keeps pages under 50 KB with 100 rows of long values, a 2 MiB body, a binary body and busy charts", async () => {
    for (let i = 0; i < 100; i++) {
      await seed(envelope({ event_type: `user.${"long_segment_".repeat(6)}${i}`, source: "acme", endpoint: "profiles" }), NOW - i * 10);
    }
    const big = envelope({ body: { kind: "r2", key: `payloads/test-${seq}`, size: 2 * 1024 * 1024 } });
    const bigJson = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => ({ i, note: 'é"<>&' })) }).slice(0, 2 * 1024 * 1024 - 2);
    await testEnv.PAYLOADS.put(big.body.kind === "r2" ? big.body.key : "", bigJson);
    await seed(big);
    const binary = await seed(envelope({ body: { kind: "inline", bytes: crypto.getRandomValues(new Uint8Array(60_000)) } }));
    const busy: Record<string, { url: string }> = {};
    for (let n = 0; n < 12; n++) busy[`busy-endpoint-${n}`] = { url: `http://127.0.0.1:9/busy/${n}` };
    const e = envWith(config({ endpoints: busy, routing_rules: Object.keys(busy).map((name) => ({ event_type: `${name}.*`, mode: "async" as const, endpoint: name })) }));
    for (const name of Object.keys(busy)) {
      const minutes = Array.from({ length: 119 }, (_, m) => Date.now() - m * 60_000);
      await report(
        name,
        minutes.flatMap((at, m) => [success(`${name}.*`, 30 + m, at), ...(m % 3 === 0 ? [] : [success(`${name}.*`, 50, at)]), ...(m % 7 === 0 ? [failure(`${name}.*`, at)] : [])]),
      );
    }
    const browser = await Browser.login(e);
    expect(rowIds(await browser.page("/dlq?limit=100"))).toHaveLength(100);
    expect(await browser.page("/dlq?limit=200", 400)).toContain("limit: must be an integer from 1 to 100");
    expect(await browser.page(`/dlq/${big.id}`)).toMatch(/JSON, pretty-printed — cut: \d+ more characters not shown/);
    expect(await browser.page(`/dlq/${binary.id}`)).toContain("cut: 57952 more bytes not shown");
    const overview = await browser.page("");
    expect(overview.match(/<svg class="spark"/g)).toHaveLength(12);
  });
});
