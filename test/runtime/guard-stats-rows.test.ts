// What a guard flush writes for its per-minute stats: a minute's first flush inserts its row, every
// later flush in that minute rewrites it in place (one row written each for `minutes` and
// `lag_minutes`, where INSERT OR REPLACE wrote two).
import { expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { CallReport } from "../../src/core/endpoint-report";
import type { EndpointGuard } from "../../src/objects/endpoint-guard";
import { GuardStats } from "../../src/objects/guard-stats";
import { LagStats } from "../../src/objects/lag-stats";
import { testEnv } from "./helpers";
import { countingSql } from "./sql-count";

const MINUTE = 60_000;

function report(at: number): CallReport {
  return {
    route: "user.*",
    mode: "async",
    delivered: true,
    breaker: "success",
    latencyMs: 12,
    at,
    status: 200,
    record: {
      messageId: `msg_${at}`,
      source: "acme",
      eventType: "user.created",
      attempt: 1,
      status: 200,
      outcome: "delivered",
      error: null,
      excerpt: null,
      excerptEncoding: null,
      lagMs: 40,
    },
  };
}

it("writes one row per minute table for a later flush in the same minute, and keeps the counts", async () => {
  const stub = testEnv.ENDPOINT_GUARD.get(testEnv.ENDPOINT_GUARD.idFromName(`stats-rows-${crypto.randomUUID()}`));
  const out = await runInDurableObject(stub, (_i: EndpointGuard, state) => {
    const { sql, written } = countingSql(state.storage.sql);
    const stats = new GuardStats(sql);
    const lag = new LagStats(sql);
    const now = Math.floor(Date.now() / MINUTE) * MINUTE + 10;
    const flush = (at: number) => {
      const before = written();
      stats.recordReports([report(at), report(at + 1)], now);
      lag.record([report(at), report(at + 1)], now);
      return written() - before;
    };
    const first = flush(now);
    const second = flush(now + 2);
    const third = flush(now + 4);
    return { first, second, third, delivered: stats.lastHour(now + 5).total.delivered };
  });
  expect(out.first).toBe(4);
  expect(out.second).toBe(2);
  expect(out.third).toBe(2);
  expect(out.delivered).toBe(6);
});
