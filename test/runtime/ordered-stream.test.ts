import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { payloadKey } from "../../src/core/envelope";
import { setLogSink } from "../../src/log";
import { call, signedRequest } from "./helpers";
import { deferred, fakeEndpoint, FRAGILE_ROUTE, orderEnvelope, ORDERS_SETTINGS, sendOrder, streamOf, testEnvWith, waitForStatus } from "./ordered-helpers";

const logs: string[] = [];
beforeAll(() => setLogSink((line) => logs.push(line)));
afterEach(() => {
  vi.restoreAllMocks();
});

describe("ordered accept", () => {
  it("stores the event under the key's next sequence number before the producer gets its 202", async () => {
    const gate = deferred();
    fakeEndpoint(async () => {
      await gate.promise;
      return 200;
    });
    const e = testEnvWith("dead_letter_and_continue");
    const first = await sendOrder(e, "acc-1", 1);
    const second = await sendOrder(e, "acc-1", 2);
    expect([first.status, second.status]).toEqual([202, 202]);
    const rows = await runInDurableObject(streamOf(e, "acc-1"), (_instance, state) =>
      state.storage.sql.exec<{ seq: number; id: string }>("SELECT seq, id FROM events ORDER BY seq").toArray(),
    );
    expect(rows).toEqual([
      { seq: 1, id: first.id },
      { seq: 2, id: second.id },
    ]);
    gate.resolve();
    await waitForStatus(e, "acc-1", (s) => s.pending === 0);
  });

  it("answers a repeated accept of the same message id with the same sequence and stores it once", async () => {
    const gate = deferred();
    fakeEndpoint(async () => {
      await gate.promise;
      return 200;
    });
    const e = testEnvWith("dead_letter_and_continue");
    const stream = streamOf(e, "acc-dup");
    const request = { envelope: orderEnvelope("msg_dup_1"), key: "acc-dup", settings: ORDERS_SETTINGS };
    expect(await stream.accept(request)).toEqual({ sequence: 1, duplicate: false });
    expect(await stream.accept(request)).toEqual({ sequence: 1, duplicate: true });
    expect(await stream.accept({ ...request, envelope: orderEnvelope("msg_dup_2") })).toEqual({ sequence: 2, duplicate: false });
    gate.resolve();
    await waitForStatus(e, "acc-dup", (s) => s.pending === 0);
    expect(await stream.accept(request)).toEqual({ sequence: 1, duplicate: true });
    expect((await stream.status()).nextSequence).toBe(3);
  });

  it("answers 422 ordering-key-missing when the event lacks its key", async () => {
    const e = testEnvWith("dead_letter_and_continue");
    const res = await call(await signedRequest("/webhooks/acme", JSON.stringify({ type: "order.updated", n: 1 })), e);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { type: string }).type).toMatch(/ordering-key-missing$/);
  });
});

describe("ordered delivery", () => {
  it("delivers one key's events one at a time in accept order with X-Ordering-Key and X-Sequence, retrying failures in place", async () => {
    let n = 0;
    const endpoint = fakeEndpoint(() => (++n % 3 === 0 ? 503 : 200));
    const e = testEnvWith("dead_letter_and_continue");
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push((await sendOrder(e, "seq-1", i)).id);
    const done = await waitForStatus(e, "seq-1", (s) => s.pending === 0);
    const delivered = endpoint.delivered("seq-1");
    const oneToTwelve = Array.from({ length: 12 }, (_, i) => i + 1);
    expect(delivered.map((c) => c.sequence)).toEqual(oneToTwelve);
    expect(delivered.map((c) => c.id)).toEqual(ids);
    expect(delivered.map((c) => (JSON.parse(new TextDecoder().decode(c.body)) as { n: number }).n)).toEqual(oneToTwelve);
    const failed = endpoint.calls.filter((c) => c.status === 503);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(endpoint.calls.find((c) => c.id === f.id && c.attempt === f.attempt + 1)?.sequence).toBe(f.sequence);
    }
    expect(endpoint.maxInflight("seq-1")).toBe(1);
    expect(delivered[0]?.headers.get("X-Ordering-Key")).toBe("seq-1");
    expect(delivered[0]?.headers.get("X-Callback-Mode")).toBe("async");
    expect(done).toMatchObject({ pending: 0, alarm: null, head: null, nextSequence: 13 });
  });

  it("lets different keys proceed in parallel while one key's head is still in flight", async () => {
    const gate = deferred();
    const endpoint = fakeEndpoint(async (c) => {
      if (c.key === "par-slow") await gate.promise;
      return 200;
    });
    const e = testEnvWith("dead_letter_and_continue");
    await sendOrder(e, "par-slow", 1);
    await sendOrder(e, "par-slow", 2);
    for (let i = 1; i <= 5; i++) await sendOrder(e, "par-fast", i);
    await waitForStatus(e, "par-fast", (s) => s.pending === 0);
    expect(endpoint.delivered("par-fast").map((c) => c.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(await streamOf(e, "par-slow").status()).toMatchObject({ pending: 2, head: { sequence: 1, state: "delivering" } });
    gate.resolve();
    await waitForStatus(e, "par-slow", (s) => s.pending === 0);
    expect(endpoint.delivered("par-slow").map((c) => c.sequence)).toEqual([1, 2]);
  });

  it("claim-checks a large body to R2, delivers the exact bytes and removes the stored body after delivery", async () => {
    const gate = deferred();
    const endpoint = fakeEndpoint(async () => {
      await gate.promise;
      return 200;
    });
    const e = testEnvWith("dead_letter_and_continue");
    const sent = await sendOrder(e, "big-1", 1, { padding: "x".repeat(100 * 1024) });
    expect(sent.status).toBe(202);
    expect(await e.PAYLOADS.head(payloadKey(sent.id))).not.toBeNull();
    gate.resolve();
    await waitForStatus(e, "big-1", (s) => s.pending === 0);
    const body = endpoint.delivered("big-1")[0]?.body;
    expect((JSON.parse(new TextDecoder().decode(body)) as { padding: string }).padding).toHaveLength(100 * 1024);
    await vi.waitFor(async () => expect(await e.PAYLOADS.head(payloadKey(sent.id))).toBeNull());
  });

  it("keeps no event rows and no alarm once a key is drained", async () => {
    fakeEndpoint(() => 200);
    const e = testEnvWith("dead_letter_and_continue");
    for (let i = 1; i <= 3; i++) await sendOrder(e, "idle-1", i);
    expect(await waitForStatus(e, "idle-1", (s) => s.pending === 0)).toMatchObject({ alarm: null });
    const rows = await runInDurableObject(streamOf(e, "idle-1"), (_i, state) => state.storage.sql.exec("SELECT seq FROM events").toArray().length);
    expect(rows).toBe(0);
  });
});

describe("ordered delivery guards", () => {
  it("does not start a second delivery of the head when another alarm runs while it is in flight", async () => {
    const gate = deferred();
    const endpoint = fakeEndpoint(async () => {
      await gate.promise;
      return 200;
    });
    const e = testEnvWith("dead_letter_and_continue");
    await sendOrder(e, "guard-1", 1);
    await sendOrder(e, "guard-1", 2);
    const stream = streamOf(e, "guard-1");
    await waitForStatus(e, "guard-1", (s) => s.head?.state === "delivering");
    expect(await runDurableObjectAlarm(stream)).toBe(true); // the loop's watchdog alarm, run early
    expect(endpoint.spy).toHaveBeenCalledTimes(1);
    gate.resolve();
    await waitForStatus(e, "guard-1", (s) => s.pending === 0);
    expect(endpoint.calls.map((c) => [c.sequence, c.attempt])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it("retries a head left `delivering` by an instance that died mid-attempt, counting that attempt", async () => {
    const endpoint = fakeEndpoint(() => 503);
    const e = testEnvWith("dead_letter_and_continue", [60_000, 60_000]);
    await sendOrder(e, "crash-1", 1);
    const stream = streamOf(e, "crash-1");
    await waitForStatus(e, "crash-1", (s) => s.head?.attempt === 1 && s.head.state === "pending");
    endpoint.spy.mockImplementation(async () => new Response("ok", { status: 200 }));
    // What a dead instance leaves behind: attempt 2 counted and marked in flight, its deadline passed.
    await runInDurableObject(stream, async (_i, state) => {
      state.storage.sql.exec("UPDATE events SET state = 'delivering', attempt = 2, next_at = ?", Date.now() - 1);
      await state.storage.setAlarm(Date.now());
    });
    await waitForStatus(e, "crash-1", (s) => s.pending === 0);
    const last = new Headers(endpoint.spy.mock.calls.at(-1)?.[1]?.headers);
    expect(last.get("X-Retry-Attempt")).toBe("3");
    expect(last.get("X-Sequence")).toBe("1");
  });

  it("waits while the endpoint's breaker is open without spending attempts, then delivers in order", async () => {
    let first = true;
    const endpoint = fakeEndpoint(() => {
      const status = first ? 503 : 200;
      first = false;
      return status;
    });
    const e = testEnvWith("dead_letter_and_continue", [0]);
    await sendOrder(e, "brk-1", 1, {}, "fragile.updated");
    await sendOrder(e, "brk-1", 2, {}, "fragile.updated");
    await waitForStatus(e, "brk-1", (s) => s.pending === 0, 15_000, FRAGILE_ROUTE);
    // max_attempts is 2: the wait on the open breaker did not use up the second attempt.
    expect(endpoint.calls.map((c) => [c.sequence, c.attempt, c.status])).toEqual([
      [1, 1, 503],
      [1, 2, 200],
      [2, 1, 200],
    ]);
    expect(logs.some((l) => l.includes('"delivery_waiting"') && l.includes('"circuit_open"'))).toBe(true);
  });
});
