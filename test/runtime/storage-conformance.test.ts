// The storage ports' contract (src/ports/storage.ts), run against every backend: D1 (real, inside
// workerd) and in-memory. A new backend is one adapter plus a factory in BACKENDS, with this suite green.
import { beforeEach, describe, expect, it } from "vitest";
import { d1AlertStore, d1AuditStore, d1DeadLetterStore, d1FallbackStore, d1SilenceStore } from "../../src/adapters/d1";
import { memoryAlertStore, memoryAuditStore, memoryDeadLetterStore, memoryFallbackStore, memoryPayloadStore, memorySilenceStore } from "../../src/adapters/memory";
import { r2PayloadStore } from "../../src/adapters/payload-store";
import type { PayloadStore } from "../../src/ports/payloads";
import type { SilenceStore } from "../../src/ports/silences";
import type { AuditEntry, AuditStore } from "../../src/ports/audit";
import type { DeadLetterReason } from "../../src/core/dead-letter";
import type { Envelope } from "../../src/core/envelope";
import {
  DEAD_LETTER_SUMMARY_FIELDS,
  MAX_DEAD_LETTER_BATCH,
  type AlertStore,
  type DeadLetterInput,
  type DeadLetterStore,
  type FallbackRow,
  type FallbackStore,
  type PageCursor,
} from "../../src/ports/storage";
import { testEnv, testEnvelope } from "./helpers";

interface Backend {
  name: string;
  /** Fresh, empty stores. */
  make(): Promise<{ deadLetters: DeadLetterStore; fallbacks: FallbackStore; alerts: AlertStore; silences: SilenceStore; audit: AuditStore }>;
}

const BACKENDS: Backend[] = [
  {
    name: "D1",
    async make() {
      const db = testEnv.DB;
      await db.batch(["dead_letters", "fallbacks", "alerts", "alert_pending", "silences", "audit_log"].map((t) => db.prepare(`DELETE FROM ${t}`)));
      return { deadLetters: d1DeadLetterStore(db), fallbacks: d1FallbackStore(db), alerts: d1AlertStore(db), silences: d1SilenceStore(db), audit: d1AuditStore(db) };
    },
  },
  {
    name: "memory",
    async make() {
      return { deadLetters: memoryDeadLetterStore(), fallbacks: memoryFallbackStore(), alerts: memoryAlertStore(), silences: memorySilenceStore(), audit: memoryAuditStore() };
    },
  },
];

const T = 1_800_000_000_000;
const HOUR = 3_600_000;

function input(overrides: Partial<Envelope> = {}, failedAt = T, reason: DeadLetterReason = "exhausted"): DeadLetterInput {
  return { envelope: testEnvelope(overrides, "msg_CONF"), reason, attempts: 3, lastStatus: 503, lastError: "HTTP 503", failedAt };
}

function r2Input(failedAt: number): DeadLetterInput {
  const i = input({}, failedAt);
  return { ...i, envelope: { ...i.envelope, body: { kind: "r2", key: `payloads/${i.envelope.id}`, size: 200_000 } } };
}

/** Every page of a listing, following `next` until it is null. */
async function allPages<T>(list: (after: PageCursor | null) => Promise<{ rows: T[]; next: PageCursor | null }>): Promise<T[][]> {
  const pages: T[][] = [];
  let after: PageCursor | null = null;
  do {
    const page: { rows: T[]; next: PageCursor | null } = await list(after);
    pages.push(page.rows);
    after = page.next;
  } while (after !== null && pages.length < 20);
  return pages;
}

describe.each(BACKENDS)("$name storage", ({ make }) => {
  let deadLetters: DeadLetterStore;
  let fallbacks: FallbackStore;
  let alerts: AlertStore;
  let silences: SilenceStore;
  let audit: AuditStore;
  beforeEach(async () => {
    ({ deadLetters, fallbacks, alerts, silences, audit } = await make());
  });

  const write = async (i: DeadLetterInput): Promise<string> => {
    await deadLetters.write(i);
    return i.envelope.id;
  };
  const statusOf = async (id: string) => (await deadLetters.get(id))?.status;

  describe("dead letters: writes", () => {
    it("keeps the whole event: body bytes, headers and policy as JSON, status dead, no replay yet", async () => {
      const i = input({ headers: [["x-request-id", "r1"]], idempotency_key: "k1", ordering: { key: "cust-1", sequence: 7 } });
      await deadLetters.write({ ...i, lastError: "e".repeat(1500) });
      const row = await deadLetters.get(i.envelope.id);
      expect(row).toMatchObject({
        id: i.envelope.id,
        source: "acme",
        event_type: "user.created",
        route: "user.*",
        endpoint: "profiles",
        queue: "DELIVERY_QUEUE",
        reason: "exhausted",
        attempts: 3,
        last_status: 503,
        trace_id: i.envelope.trace_id,
        idempotency_key: "k1",
        content_type: "application/json",
        headers: '[["x-request-id","r1"]]',
        body_ref: null,
        policy: '{"matrix":[0,0],"max_attempts":3}',
        ordering_key: "cust-1",
        sequence: 7,
        created_at: i.envelope.received_at,
        failed_at: T,
        status: "dead",
        replay_count: 0,
        replayed_at: null,
        claimed_at: null,
      });
      expect(row?.last_error).toBe("e".repeat(1000));
      const bytes = i.envelope.body.kind === "inline" ? i.envelope.body.bytes : null;
      expect(row?.body).toEqual(bytes);
      expect(row?.body_size).toBe(bytes?.byteLength);
      expect(await deadLetters.get("msg_unknown")).toBeNull();
    });

    it("keeps a large body as its reference and size", async () => {
      const i = r2Input(T);
      await deadLetters.write(i);
      expect(await deadLetters.get(i.envelope.id)).toMatchObject({ body: null, body_ref: `payloads/${i.envelope.id}`, body_size: 200_000 });
    });

    it("a second write of an id updates the outcome only: back to dead, the higher replay count kept", async () => {
      const first = input({ replay_count: 2 });
      await deadLetters.write(first);
      await deadLetters.claimForReplay({ id: first.envelope.id }, 1, T);
      const again = { ...first, envelope: { ...first.envelope, replay_count: 1, source: "other", received_at: 1 } };
      await deadLetters.write({ ...again, reason: "rejected", attempts: 1, lastStatus: 400, lastError: "HTTP 400", failedAt: T + 5 });
      expect(await deadLetters.get(first.envelope.id)).toMatchObject({
        reason: "rejected",
        attempts: 1,
        last_status: 400,
        last_error: "HTTP 400",
        failed_at: T + 5,
        status: "dead",
        replay_count: 2,
        source: "acme",
        created_at: first.envelope.received_at,
        claimed_at: T,
      });
    });

    it(`writes up to ${MAX_DEAD_LETTER_BATCH} in one batch, refuses more without writing any`, async () => {
      const batch = Array.from({ length: MAX_DEAD_LETTER_BATCH }, (_, n) => input({}, T + n));
      await deadLetters.writeMany(batch);
      await deadLetters.writeMany([]);
      expect((await deadLetters.countWaitingByRoute()).reduce((n, c) => n + c.count, 0)).toBe(MAX_DEAD_LETTER_BATCH);
      const tooMany = Array.from({ length: MAX_DEAD_LETTER_BATCH + 1 }, () => input());
      await expect(deadLetters.writeMany(tooMany)).rejects.toThrow(RangeError);
      expect(await deadLetters.get(tooMany[0]?.envelope.id ?? "")).toBeNull();
    });

    it("keeps a malformed message once, raw, and never claims it", async () => {
      const raw = JSON.stringify({ v: 9, note: "ünïcode" });
      await deadLetters.writeMalformed({ queueMessageId: "q1", problem: "v: expected 1", raw, at: T });
      await deadLetters.writeMalformed({ queueMessageId: "q1", problem: "something else", raw: "{}", at: T + 1 });
      const row = await deadLetters.get("queue_q1");
      expect(row).toMatchObject({
        reason: "malformed",
        source: "",
        route: "",
        endpoint: "",
        queue: "DELIVERY_QUEUE",
        attempts: 0,
        last_status: null,
        last_error: "malformed envelope: v: expected 1",
        trace_id: "0".repeat(32),
        headers: "[]",
        body_size: raw.length,
        policy: '{"matrix":[],"max_attempts":1}',
        created_at: T,
        failed_at: T,
        status: "dead",
        replay_count: 0,
      });
      expect(new TextDecoder().decode(row?.body ?? new Uint8Array(0))).toBe(raw);
      expect(await deadLetters.claimForReplay({}, 10, T)).toEqual([]);
      expect(await deadLetters.claimForReplay({ id: "queue_q1" }, 1, T)).toEqual([]);
    });
  });

  describe("dead letters: listing", () => {
    it("pages newest first by (failed_at, id), each row once, the last page without a cursor", async () => {
      const ids = [];
      for (const at of [T, T + 2, T + 2, T + 1, T + 3]) ids.push(await write(input({}, at)));
      const pages = await allPages((after) => deadLetters.list({ filter: {}, statuses: ["dead"], limit: 2, after }));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      const sameTime = [ids[1], ids[2]].sort().reverse();
      expect(pages.flat().map((r) => r.id)).toEqual([ids[4], ...sameTime, ids[3], ids[0]]);
      const exact = await deadLetters.list({ filter: {}, statuses: ["dead"], limit: 5, after: null });
      expect(exact.next).toBeNull();
    });

    it("returns the summary columns only", async () => {
      await write(input());
      const { rows } = await deadLetters.list({ filter: {}, statuses: ["dead"], limit: 10, after: null });
      expect(Object.keys(rows[0] ?? {}).sort()).toEqual([...DEAD_LETTER_SUMMARY_FIELDS].sort());
    });

    it("filters by source, event type, endpoint, route, reason and status", async () => {
      const a = await write(input({ source: "billing", event_type: "invoice.paid", endpoint: "payments", route: "invoice.*" }));
      const b = await write(input({}, T, "rejected"));
      const c = await write(input());
      await deadLetters.claimForReplay({ id: c }, 1, T);
      const ids = async (filter: object, statuses: ("dead" | "replaying" | "replayed")[] = ["dead"]) =>
        (await deadLetters.list({ filter, statuses, limit: 10, after: null })).rows.map((r) => r.id).sort();
      expect(await ids({ source: "billing" })).toEqual([a]);
      expect(await ids({ event_type: "invoice.paid", endpoint: "payments", route: "invoice.*" })).toEqual([a]);
      expect(await ids({ reason: "rejected" })).toEqual([b]);
      expect(await ids({ source: "acme" })).toEqual([b]);
      expect(await ids({}, ["replaying"])).toEqual([c]);
      expect(await ids({}, ["dead", "replaying"])).toEqual([a, b, c].sort());
      expect(await ids({ source: "nobody" })).toEqual([]);
    });
  });

  describe("dead letters: replay claims", () => {
    it("claims dead rows newest first up to the limit, once, at the given time", async () => {
      const ids = [await write(input({}, T)), await write(input({}, T + 1)), await write(input({}, T + 2))];
      const claimed = await deadLetters.claimForReplay({}, 2, T + 10);
      expect(claimed.map((r) => r.id)).toEqual([ids[2], ids[1]]);
      expect(claimed.every((r) => r.status === "replaying" && r.claimed_at === T + 10)).toBe(true);
      expect((await deadLetters.claimForReplay({}, 5, T + 11)).map((r) => r.id)).toEqual([ids[0]]);
      expect(await deadLetters.claimForReplay({}, 5, T + 12)).toEqual([]);
    });

    it("claims by id, filter, replay count and unordered only", async () => {
      const plain = await write(input());
      const tired = await write(input({ replay_count: 3 }));
      const ordered = await write(input({ ordering: { key: "k", sequence: 1 } }));
      const other = await write(input({ endpoint: "payments" }));
      expect((await deadLetters.claimForReplay({ id: other }, 1, T)).map((r) => r.id)).toEqual([other]);
      const auto = await deadLetters.claimForReplay({ endpoint: "profiles", maxReplayCount: 3, unorderedOnly: true }, 10, T);
      expect(auto.map((r) => r.id)).toEqual([plain]);
      expect((await deadLetters.claimForReplay({}, 10, T)).map((r) => r.id).sort()).toEqual([tired, ordered].sort());
    });

    it("gives each row to one of two concurrent bulk claims", async () => {
      const ids = [];
      for (let n = 0; n < 12; n++) ids.push(await write(input({}, T + n)));
      const [a, b] = await Promise.all([deadLetters.claimForReplay({}, 12, T), deadLetters.claimForReplay({}, 12, T)]);
      const claimed = [...(a ?? []), ...(b ?? [])].map((r) => r.id);
      expect(claimed.sort()).toEqual([...ids].sort());
    });

    it("settles claims: replayed ones counted and timed, released ones dead again, a re-failed one stays dead", async () => {
      const [sent, refailed, back] = [await write(input()), await write(input()), await write(input())];
      await deadLetters.claimForReplay({}, 3, T);
      expect(await statusOf(refailed)).toBe("replaying");
      await deadLetters.write({ ...input(), envelope: { ...testEnvelope(), id: refailed, replay_count: 1 } });
      await deadLetters.settleReplays({ replayed: [sent, refailed], released: [back], at: T + 60 });
      await deadLetters.settleReplays({ replayed: [], released: [], at: T + 61 });
      expect(await deadLetters.get(sent)).toMatchObject({ status: "replayed", replay_count: 1, replayed_at: T + 60 });
      expect(await deadLetters.get(refailed)).toMatchObject({ status: "dead", replay_count: 2, replayed_at: T + 60 });
      expect(await deadLetters.get(back)).toMatchObject({ status: "dead", replay_count: 0, replayed_at: null });
    });

    it("releases claims made before the cutoff, at most the limit", async () => {
      const ids = [await write(input()), await write(input()), await write(input())];
      await deadLetters.claimForReplay({ id: ids[0] }, 1, T - 20 * 60_000);
      await deadLetters.claimForReplay({ id: ids[1] }, 1, T - 15 * 60_000);
      await deadLetters.claimForReplay({ id: ids[2] }, 1, T - 60_000);
      expect(await deadLetters.releaseStaleClaims(T - 10 * 60_000, 1)).toBe(1);
      expect(await deadLetters.releaseStaleClaims(T - 10 * 60_000, 10)).toBe(1);
      expect(await deadLetters.releaseStaleClaims(T - 10 * 60_000, 10)).toBe(0);
      expect([await statusOf(ids[0] ?? ""), await statusOf(ids[1] ?? ""), await statusOf(ids[2] ?? "")]).toEqual(["dead", "dead", "replaying"]);
    });
  });

  describe("dead letters: counts, deletes, purges", () => {
    it("counts waiting (dead) rows per route and endpoint", async () => {
      await write(input());
      await write(input());
      await write(input({ route: "order.*", endpoint: "payments" }));
      const claimed = await write(input({ route: "order.*", endpoint: "payments" }));
      await deadLetters.claimForReplay({ id: claimed }, 1, T);
      const counts = await deadLetters.countWaitingByRoute();
      expect(counts.sort((x, y) => x.route.localeCompare(y.route))).toEqual([
        { route: "order.*", endpoint: "payments", count: 1 },
        { route: "user.*", endpoint: "profiles", count: 2 },
      ]);
    });

    it("deletes a row unless it is being replayed, returning its body reference", async () => {
      const i = r2Input(T);
      const id = await write(i);
      const busy = await write(input());
      await deadLetters.claimForReplay({ id: busy }, 1, T);
      expect(await deadLetters.delete(id)).toEqual({ id, route: "user.*", endpoint: "profiles", status: "dead", body_ref: `payloads/${id}`, ordering_key: null });
      expect(await deadLetters.get(id)).toBeNull();
      expect(await deadLetters.delete(id)).toBeNull();
      expect(await deadLetters.delete(busy)).toBeNull();
      expect(await statusOf(busy)).toBe("replaying");
    });

    it("keeps a fanned-out copy's dead letter under its own id with the message id, and purges its body as a share", async () => {
      const shared = r2Input(T - 50 * HOUR);
      const copy = { ...shared, envelope: { ...shared.envelope, fanout: true, endpoint: "analytics" } };
      await deadLetters.write(copy);
      const id = `${copy.envelope.id}.analytics`;
      expect(await deadLetters.get(id)).toMatchObject({ id, message_id: copy.envelope.id, endpoint: "analytics" });
      expect((await deadLetters.list({ filter: { message_id: copy.envelope.id }, statuses: ["dead"], limit: 10, after: null })).rows.map((r) => r.id)).toEqual([id]);
      expect(await deadLetters.purgeOlderThan(T - 24 * HOUR, 10)).toEqual({ deleted: 1, bodyRefs: [], shared: [{ key: `payloads/${copy.envelope.id}`, holder: "analytics" }] });
    });

    it("purges rows failed and replayed before the cutoff, oldest first, at most the limit, returning body references", async () => {
      const oldR2 = await write(r2Input(T - 50 * HOUR));
      const oldInline = await write(input({}, T - 49 * HOUR));
      const older = await write(input({}, T - 48 * HOUR));
      const fresh = await write(input({}, T - HOUR));
      const replayedLately = await write(input({}, T - 50 * HOUR));
      await deadLetters.claimForReplay({ id: replayedLately }, 1, T);
      await deadLetters.settleReplays({ replayed: [replayedLately], released: [], at: T - HOUR });
      const claimed = await write(input({}, T - 50 * HOUR));
      await deadLetters.claimForReplay({ id: claimed }, 1, T);

      expect(await deadLetters.purgeOlderThan(T - 24 * HOUR, 2)).toEqual({ deleted: 2, bodyRefs: [`payloads/${oldR2}`], shared: [] });
      expect(await deadLetters.get(oldInline)).toBeNull();
      expect(await deadLetters.get(older)).not.toBeNull();
      expect(await deadLetters.purgeOlderThan(T - 24 * HOUR, 2)).toEqual({ deleted: 1, bodyRefs: [], shared: [] });
      expect(await deadLetters.purgeOlderThan(T - 24 * HOUR, 2)).toEqual({ deleted: 0, bodyRefs: [], shared: [] });
      for (const id of [fresh, replayedLately, claimed]) expect(await deadLetters.get(id)).not.toBeNull();
    });
  });

  describe("fallbacks", () => {
    const FRESH = { state: "waiting", settled_at: null, flagged_at: null, replays: 0, reconciled_at: null, confirmed_at: null } as const;
    const fallback = (n: number, overrides: Partial<FallbackRow> = {}): FallbackRow => ({
      id: `msg_fb_${n}`,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      source: "acme",
      event_type: "payment.authorize",
      route: "payment.authorize",
      endpoint: "payments",
      reason: "timeout",
      at: T + n,
      ...overrides,
    });

    it("records a fallback once (the first record stays) and pages newest first", async () => {
      for (const n of [0, 1, 2, 3, 4]) await fallbacks.record(fallback(n));
      await fallbacks.record(fallback(4, { reason: "shed", at: T - 1 }));
      await fallbacks.record(fallback(5, { at: T + 4 }));
      const pages = await allPages((after) => fallbacks.list({ filter: {}, limit: 4, after }));
      expect(pages.map((p) => p.map((r) => r.id))).toEqual([
        ["msg_fb_5", "msg_fb_4", "msg_fb_3", "msg_fb_2"],
        ["msg_fb_1", "msg_fb_0"],
      ]);
      expect(pages[0]?.[1]).toEqual({ ...fallback(4), ...FRESH });
    });

    it("tracks a fallback's final state; delivered is final", async () => {
      await fallbacks.record(fallback(0));
      await fallbacks.record(fallback(1));
      await fallbacks.settle("msg_fb_0", "dead_lettered", T + 10);
      await fallbacks.settle("msg_fb_0", "delivered", T + 20);
      await fallbacks.settle("msg_fb_0", "dead_lettered", T + 30);
      await fallbacks.settle("nope", "delivered", T);
      const ids = async (state: "waiting" | "delivered" | "dead_lettered" | "unreconciled") =>
        (await fallbacks.list({ filter: { state }, limit: 10, after: null })).rows.map((r) => r.id);
      expect(await ids("delivered")).toEqual(["msg_fb_0"]);
      expect(await ids("waiting")).toEqual(["msg_fb_1"]);
      expect((await fallbacks.list({ filter: { state: "delivered" }, limit: 10, after: null })).rows[0]?.settled_at).toBe(T + 20);
      expect(await ids("unreconciled")).toEqual([]);
    });

    it("flags overdue waiting fallbacks of a route once (compare-and-swap)", async () => {
      for (const n of [0, 1, 2]) await fallbacks.record(fallback(n));
      await fallbacks.record(fallback(3, { route: "other" }));
      await fallbacks.settle("msg_fb_0", "delivered", T + 5);
      expect((await fallbacks.flagOverdue("payment.authorize", T + 2, T + 100, 10)).map((r) => r.id)).toEqual(["msg_fb_1"]);
      const [twice, once] = await Promise.all([fallbacks.flagOverdue("payment.authorize", T + 3, T + 101, 10), fallbacks.flagOverdue("payment.authorize", T + 3, T + 101, 10)]);
      expect([...(twice ?? []), ...(once ?? [])].map((r) => r.id)).toEqual(["msg_fb_2"]);
      const unreconciled = (await fallbacks.list({ filter: { state: "unreconciled" }, limit: 10, after: null })).rows;
      expect(unreconciled.map((r) => [r.id, r.flagged_at])).toEqual([
        ["msg_fb_2", T + 101],
        ["msg_fb_1", T + 100],
      ]);
    });

    it("hands out reconcile candidates once per slot, confirms, and caps counted replays at 3", async () => {
      for (const n of [0, 1, 2]) await fallbacks.record(fallback(n));
      await fallbacks.record(fallback(3, { endpoint: "profiles" }));
      const slot = T + 1000;
      expect((await fallbacks.reconcileCandidates("payments", T, slot, 10)).map((r) => r.id)).toEqual(["msg_fb_0", "msg_fb_1", "msg_fb_2"]);
      await fallbacks.confirm(["msg_fb_0"], slot, T + 1001);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot, true)).toBe(true);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot, true)).toBe(false);
      expect(await fallbacks.claimReconcile("msg_fb_2", slot, false)).toBe(true);
      expect(await fallbacks.reconcileCandidates("payments", T, slot, 10)).toEqual([]);
      expect((await fallbacks.reconcileCandidates("payments", T, slot + 1, 10)).map((r) => r.id)).toEqual(["msg_fb_1", "msg_fb_2"]);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot + 1, true)).toBe(true);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot + 2, true)).toBe(true);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot + 3, true)).toBe(false);
      expect(await fallbacks.claimReconcile("msg_fb_1", slot + 3, false)).toBe(true);
      const [row] = (await fallbacks.list({ filter: {}, limit: 10, after: null })).rows.filter((r) => r.id === "msg_fb_1");
      expect(row).toMatchObject({ replays: 3, reconciled_at: slot + 3, confirmed_at: null });
    });

    it("filters by source, endpoint and reason", async () => {
      await fallbacks.record(fallback(0));
      await fallbacks.record(fallback(1, { reason: "shed" }));
      await fallbacks.record(fallback(2, { source: "open", endpoint: "profiles", reason: "circuit_open" }));
      const ids = async (filter: object) => (await fallbacks.list({ filter, limit: 10, after: null })).rows.map((r) => r.id);
      expect(await ids({ reason: "shed" })).toEqual(["msg_fb_1"]);
      expect(await ids({ source: "acme", endpoint: "payments" })).toEqual(["msg_fb_1", "msg_fb_0"]);
      expect(await ids({ endpoint: "profiles" })).toEqual(["msg_fb_2"]);
    });
  });

  describe("alerts", () => {
    const alert = { key: "dlq_threshold:user.*", kind: "dlq_threshold", detail: "Route user.*: 12 dead letters" };

    it("lets an alert fire once per interval", async () => {
      expect(await alerts.claim(alert, T, HOUR)).toBe(true);
      expect(await alerts.claim(alert, T + HOUR - 1, HOUR)).toBe(false);
      expect(await alerts.claim({ ...alert, key: "breaker_open:payments" }, T + 1, HOUR)).toBe(true);
      expect(await alerts.claim(alert, T + HOUR, HOUR)).toBe(true);
      expect(await alerts.claim(alert, T + HOUR + 1, HOUR)).toBe(false);
    });

    it("gives one win to concurrent claims", async () => {
      const wins = await Promise.all([1, 2, 3, 4].map(() => alerts.claim(alert, T, HOUR)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it("backdates a firing so it may fire sooner, unless someone fired since", async () => {
      await alerts.claim(alert, T, HOUR);
      await alerts.backdate(alert.key, T, T - HOUR + 5 * 60_000);
      expect(await alerts.claim(alert, T + 4 * 60_000, HOUR)).toBe(false);
      expect(await alerts.claim(alert, T + 5 * 60_000, HOUR)).toBe(true);
      await alerts.backdate(alert.key, T, T - HOUR);
      expect(await alerts.claim(alert, T + 6 * 60_000, HOUR)).toBe(false);
    });

    it("keeps pending alerts per tier, oldest first, once per id, until removed", async () => {
      const pending = (id: string, tier: string, at: number) => ({ id, tier, payload: `{"id":"${id}"}`, at });
      await alerts.addPending([pending("a", "critical", T + 2), pending("b", "default", T), pending("c", "critical", T + 1)]);
      await alerts.addPending([pending("a", "default", T + 9)]);
      expect(await alerts.pendingTiers()).toEqual(["critical", "default"]);
      expect((await alerts.listPending("critical", 10)).map((p) => p.id)).toEqual(["c", "a"]);
      expect(await alerts.listPending("critical", 1)).toEqual([pending("c", "critical", T + 1)]);
      await alerts.removePending(["c", "a"]);
      expect(await alerts.pendingTiers()).toEqual(["default"]);
      await alerts.addPending([]);
      await alerts.removePending([]);
    });
  });

  describe("silences", () => {
    const silence = (id: string, until: number, createdAt = T) => ({
      id,
      endpoints: id === "all" ? ("*" as const) : ["payments"],
      until,
      reason: id === "all" ? null : "deploy",
      created_at: createdAt,
    });

    it("lists the active silences newest first and forgets the ones past their end", async () => {
      await silences.add(silence("s1", T + HOUR));
      await silences.add(silence("all", T + 2 * HOUR, T + 1));
      await silences.add(silence("s1", T + 9 * HOUR));
      expect(await silences.listActive(T + 2)).toEqual([silence("all", T + 2 * HOUR, T + 1), silence("s1", T + HOUR)]);
      expect((await silences.listActive(T + HOUR)).map((s) => s.id)).toEqual(["all"]);
      expect(await silences.listActive(T + 2 * HOUR)).toEqual([]);
    });

    it("ends an active silence once; an ended or expired one cannot be ended", async () => {
      await silences.add(silence("s1", T + HOUR));
      expect(await silences.end("s1", T + 5)).toBe(true);
      expect(await silences.end("s1", T + 6)).toBe(false);
      expect(await silences.listActive(T + 6)).toEqual([]);
      await silences.add(silence("s2", T + HOUR));
      expect(await silences.end("s2", T + HOUR)).toBe(false);
      expect(await silences.end("nope", T)).toBe(false);
    });
  });

  describe("audit log", () => {
    const entry = (id: string, at: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
      id,
      at,
      actor: "ops-bot",
      actor_via: "token",
      channel: "api",
      action: "dead_letter.replay",
      target: "msg_1",
      params: "{}",
      result: "queued",
      count: null,
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      ...overrides,
    });

    it("keeps every field and lists newest first, paging by (at, id)", async () => {
      const bulk = entry("aud_b", T + 1, {
        actor: "alice@example.com",
        actor_via: "access",
        channel: "console",
        action: "dead_letter.bulk_replay",
        target: null,
        params: '{"source":"acme","limit":50}',
        result: "ok",
        count: 7,
      });
      await audit.record(bulk);
      await audit.record(entry("aud_a", T));
      await audit.record(entry("aud_c", T + 1));
      const pages = await allPages((after) => audit.list({ limit: 2, after }));
      expect(pages.map((p) => p.map((e) => e.id))).toEqual([["aud_c", "aud_b"], ["aud_a"]]);
      expect(pages[0]?.[1]).toEqual(bulk);
    });

    it("filters by actor, action and since", async () => {
      await audit.record(entry("aud_1", T, { actor: "a" }));
      await audit.record(entry("aud_2", T + 10, { actor: "b", action: "endpoint.reset" }));
      await audit.record(entry("aud_3", T + 20, { actor: "a", action: "endpoint.reset" }));
      const ids = async (q: { actor?: string; action?: string; since?: number }) => (await audit.list({ ...q, limit: 10, after: null })).rows.map((e) => e.id);
      expect(await ids({ actor: "a" })).toEqual(["aud_3", "aud_1"]);
      expect(await ids({ action: "endpoint.reset" })).toEqual(["aud_3", "aud_2"]);
      expect(await ids({ since: T + 10 })).toEqual(["aud_3", "aud_2"]);
      expect(await ids({ actor: "a", action: "endpoint.reset", since: T + 21 })).toEqual([]);
    });

    it("purges entries older than the cutoff, oldest first, at most limit at a time", async () => {
      for (let i = 0; i < 4; i++) await audit.record(entry(`aud_${i}`, T + i * HOUR));
      expect(await audit.purgeOlderThan(T + 3 * HOUR, 2)).toBe(2);
      expect((await audit.list({ limit: 10, after: null })).rows.map((e) => e.id)).toEqual(["aud_3", "aud_2"]);
      expect(await audit.purgeOlderThan(T + 3 * HOUR, 2)).toBe(1);
      expect(await audit.purgeOlderThan(T + 3 * HOUR, 2)).toBe(0);
    });
  });
});

// The payload port's sharing (fan-out): a body shared by several destinations goes with its last share.
const PAYLOAD_BACKENDS: { name: string; make(): Promise<PayloadStore> }[] = [
  {
    name: "R2 + D1",
    async make() {
      await testEnv.DB.prepare("DELETE FROM payload_shares").run();
      return r2PayloadStore(testEnv.PAYLOADS, testEnv.DB);
    },
  },
  { name: "memory", make: async () => memoryPayloadStore() },
];

describe.each(PAYLOAD_BACKENDS)("$name payloads", ({ make }) => {
  it("deletes a shared body only when its last holder releases it, and an unshared one at once", async () => {
    const payloads = await make();
    const body = new TextEncoder().encode("x".repeat(100_000));
    const shared = await payloads.put(`msg_SHARE${Date.now()}`, body, "application/json");
    if (shared.kind !== "r2") throw new Error("expected a stored body");
    await payloads.share(shared.key, ["billing", "analytics"]);
    await payloads.release(shared.key, "billing");
    await payloads.release(shared.key, "billing"); // a repeated release (at-least-once delivery) changes nothing
    expect((await payloads.get(shared))?.byteLength).toBe(100_000);
    await payloads.release(shared.key, "analytics");
    expect(await payloads.get(shared)).toBeUndefined();

    const alone = await payloads.put(`msg_ALONE${Date.now()}`, body, null);
    if (alone.kind !== "r2") throw new Error("expected a stored body");
    await payloads.release(alone.key, "profiles");
    expect(await payloads.get(alone)).toBeUndefined();
  });
});
