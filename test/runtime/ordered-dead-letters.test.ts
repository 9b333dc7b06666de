import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { releaseDeletedDeadLetter, resolveTarget } from "../../src/delivery/ordered";
import { envelopeFromRow, replayOne, replayOrdered } from "../../src/delivery/replay";
import { deleteDeadLetterById } from "../../src/delivery/retention";
import { setLogSink } from "../../src/log";
import { envWith, portsFor, testEnv } from "./helpers";
import { loadConfig } from "../../src/config/load";
import { deadLetter, fakeEndpoint, orderedConfig, orderEnvelope, ORDERS_SETTINGS, sendOrder, streamOf, testEnvWith, waitForStatus } from "./ordered-helpers";

beforeAll(() => setLogSink(() => {}));
afterEach(() => {
  vi.restoreAllMocks();
});

async function rowOf(e: Env, id: string) {
  const row = await deadLetter(e, id);
  if (row === null) throw new Error(`no dead letter ${id}`);
  return row;
}

describe("dead letters on ordered routes", () => {
  it("dead-letters the head after its last attempt, with its sequence, then moves on (dead_letter_and_continue)", async () => {
    const endpoint = fakeEndpoint((c) => (c.sequence === 2 ? 503 : 200));
    const e = testEnvWith("dead_letter_and_continue", [0, 0]);
    await sendOrder(e, "dlc-1", 1);
    const poisoned = (await sendOrder(e, "dlc-1", 2)).id;
    await sendOrder(e, "dlc-1", 3);
    await waitForStatus(e, "dlc-1", (s) => s.pending === 0);
    expect(endpoint.delivered("dlc-1").map((c) => c.sequence)).toEqual([1, 3]);
    expect(endpoint.calls.filter((c) => c.id === poisoned).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(await rowOf(e, poisoned)).toMatchObject({
      reason: "exhausted",
      attempts: 3,
      last_status: 503,
      ordering_key: "dlc-1",
      sequence: 2,
      route: "order.*",
      endpoint: "orders",
      status: "dead",
    });
  });

  it("re-delivers a replayed dead letter of a key that moved on under its original sequence, ahead of later events", async () => {
    const endpoint = fakeEndpoint((c) => (c.sequence === 1 ? 400 : 200));
    const e = testEnvWith("dead_letter_and_continue");
    const first = await sendOrder(e, "dlc-2", 1);
    await sendOrder(e, "dlc-2", 2);
    await waitForStatus(e, "dlc-2", (s) => s.pending === 0);
    const row = await rowOf(e, first.id);
    expect(row).toMatchObject({ reason: "rejected", sequence: 1 });
    endpoint.spy.mockImplementation(async () => new Response("ok", { status: 200 }));
    await replayOrdered(portsFor(e), envelopeFromRow(row, "00f067aa0ba902b7"));
    await waitForStatus(e, "dlc-2", (s) => s.pending === 0);
    const last = new Headers(endpoint.spy.mock.calls.at(-1)?.[1]?.headers);
    expect([last.get("webhook-id"), last.get("X-Sequence"), last.get("X-Retry-Attempt")]).toEqual([first.id, "1", "1"]);
    expect((await streamOf(e, "dlc-2").status()).nextSequence).toBe(3);
  });

  it("holds the key after a dead letter with on_failure block, and resumes in order after the dead letter is replayed", async () => {
    let healthy = false;
    const endpoint = fakeEndpoint((c) => (c.sequence === 2 && !healthy ? 422 : 200));
    const e = testEnvWith("block");
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) ids.push((await sendOrder(e, "blk-1", i)).id);
    const held = await waitForStatus(e, "blk-1", (s) => s.blocked);
    expect(held).toMatchObject({ pending: 3, alarm: null, head: { sequence: 2, state: "blocked" } });
    expect(await rowOf(e, ids[1] ?? "")).toMatchObject({ reason: "rejected", sequence: 2, ordering_key: "blk-1" });
    ids.push((await sendOrder(e, "blk-1", 5)).id);
    expect(await streamOf(e, "blk-1").status()).toMatchObject({ pending: 4, blocked: true, alarm: null });
    expect(endpoint.delivered("blk-1").map((c) => c.sequence)).toEqual([1]);

    healthy = true;
    expect(await replayOne(portsFor(e), ids[1] ?? "")).toMatchObject({ kind: "queued" });
    await waitForStatus(e, "blk-1", (s) => s.pending === 0);
    const delivered = endpoint.delivered("blk-1");
    expect(delivered.map((c) => c.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(delivered.map((c) => c.id)).toEqual(ids);
    expect(delivered.find((c) => c.sequence === 2)?.attempt).toBe(1);
    expect(await rowOf(e, ids[1] ?? "")).toMatchObject({ status: "replayed", replay_count: 1 });
  });

  it("holds the key again when the replayed head fails again", async () => {
    fakeEndpoint((c) => (c.sequence === 1 ? 400 : 200));
    const e = testEnvWith("block");
    const first = await sendOrder(e, "blk-3", 1);
    await sendOrder(e, "blk-3", 2);
    await waitForStatus(e, "blk-3", (s) => s.blocked);
    expect(await replayOne(portsFor(e), first.id)).toMatchObject({ kind: "queued" });
    await vi.waitFor(async () => expect(await rowOf(e, first.id)).toMatchObject({ status: "dead", replay_count: 1 }));
    expect(await waitForStatus(e, "blk-3", (s) => s.blocked)).toMatchObject({ pending: 2, head: { sequence: 1 } });
  });

  it("releases a blocked key when its dead letter is deleted, skipping that event", async () => {
    const endpoint = fakeEndpoint((c) => (c.sequence === 1 ? 410 : 200));
    const e = testEnvWith("block");
    const first = await sendOrder(e, "blk-2", 1);
    await sendOrder(e, "blk-2", 2);
    await waitForStatus(e, "blk-2", (s) => s.blocked);
    expect(await rowOf(e, first.id)).toMatchObject({ reason: "gone", sequence: 1 });
    expect(await releaseDeletedDeadLetter(portsFor(e), { id: "msg_other", message_id: "msg_other", route: "order.*", endpoint: "orders", ordering_key: "blk-2" })).toEqual({
      released: false,
    });
    expect(await releaseDeletedDeadLetter(portsFor(e), { id: first.id, message_id: first.id, route: "order.*", endpoint: "orders", ordering_key: "blk-2" })).toEqual({
      released: true,
    });
    await waitForStatus(e, "blk-2", (s) => s.pending === 0);
    expect(endpoint.delivered("blk-2").map((c) => c.sequence)).toEqual([2]);
  });

  it("releases a blocked key when an operator deletes its dead letter through the admin use case", async () => {
    const endpoint = fakeEndpoint((c) => (c.sequence === 1 ? 400 : 200));
    const e = testEnvWith("block");
    const first = await sendOrder(e, "blk-4", 1);
    await sendOrder(e, "blk-4", 2);
    await sendOrder(e, "blk-4", 3);
    await waitForStatus(e, "blk-4", (s) => s.blocked);
    expect(await deleteDeadLetterById(portsFor(e), first.id)).toEqual({ kind: "deleted" });
    expect(await deadLetter(e, first.id)).toBeNull();
    await waitForStatus(e, "blk-4", (s) => s.pending === 0);
    expect(endpoint.delivered("blk-4").map((c) => c.sequence)).toEqual([2, 3]);
  });
});

describe("what an ordered event is delivered with", () => {
  it("prefers the live config, and on_failure from its rule", () => {
    const live = envWith(orderedConfig("block"));
    const target = resolveTarget(loadConfig(live.GATEWAY_CONFIG), ORDERS_SETTINGS, orderEnvelope("msg_t1"));
    expect(target).toMatchObject({ kind: "ok", onFailure: "block", endpoint: { name: "orders" } });
  });

  it("dead-letters (endpoint_missing) when the live config no longer has the endpoint", () => {
    const live = envWith(orderedConfig("dead_letter_and_continue"));
    expect(resolveTarget(loadConfig(live.GATEWAY_CONFIG), ORDERS_SETTINGS, { ...orderEnvelope("msg_t2"), endpoint: "gone" })).toEqual({
      kind: "endpoint_missing",
      onFailure: "dead_letter_and_continue",
    });
  });

  it("falls back to the accept-time snapshot when the live config cannot be loaded, and waits without one", () => {
    const broken = { ...testEnv, GATEWAY_CONFIG: "{not json" } as Env;
    expect(resolveTarget(loadConfig(broken.GATEWAY_CONFIG), ORDERS_SETTINGS, orderEnvelope("msg_t3"))).toMatchObject({
      kind: "ok",
      onFailure: "dead_letter_and_continue",
      endpoint: { name: "orders", url: "http://127.0.0.1:9/orders" },
    });
    expect(resolveTarget(loadConfig(broken.GATEWAY_CONFIG), null, orderEnvelope("msg_t4"))).toEqual({ kind: "config_invalid" });
  });
});
