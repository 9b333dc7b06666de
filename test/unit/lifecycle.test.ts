// The pure endpoint lifecycle (core/lifecycle): pause/resume, the quarantine rules, the paused wait;
// the attempt-log excerpt (core/attempt-log) and X-Request-Start parsing (core/request-start).
import { describe, expect, it } from "vitest";
import { ACTIVE, NO_FAILURES, observe, pause, pausedWaitMs, quarantine, resume, type FailureTrack, type ReportFacts } from "../../src/core/lifecycle";
import { excerptOf, outcomeName } from "../../src/core/attempt-log";
import { producerQueueMs, requestStartHeader } from "../../src/core/request-start";

const T0 = 1_700_000_000_000;
const fail = (at: number, opened = false, status: number | null = 503): ReportFacts => ({ delivered: false, status, at, opened });
const ok = (at: number): ReportFacts => ({ delivered: true, status: 200, at, opened: false });

function run(reports: ReportFacts[], cfg: Parameters<typeof observe>[2]): string | null {
  let track: FailureTrack = NO_FAILURES;
  for (const r of reports) {
    const seen = observe(track, r, cfg);
    track = seen.track;
    if (seen.quarantine !== null) return seen.quarantine;
  }
  return null;
}

describe("lifecycle", () => {
  it("pauses an active endpoint only, and resume lifts a pause or a quarantine", () => {
    const paused = pause(ACTIVE, "deploy", T0);
    expect(paused).toMatchObject({ state: "paused", pausedAt: T0, pauseReason: "deploy" });
    expect(pause(paused, "again", T0 + 1)).toBe(paused);
    expect(resume(paused)).toEqual(ACTIVE);
    expect(resume(quarantine(ACTIVE, "gone", T0))).toEqual(ACTIVE);
    expect(quarantine(paused, "gone", T0)).toBe(paused);
  });

  it("quarantines after n openings in a row, a success in between resets the count", () => {
    expect(run([fail(T0, true), fail(T0 + 1, true)], { after_open_cycles: 2 })).toBe("open_cycles");
    expect(run([fail(T0, true), ok(T0 + 1), fail(T0 + 2, true)], { after_open_cycles: 2 })).toBeNull();
  });

  it("quarantines after s seconds of failures without a success, counted from the first failure", () => {
    expect(run([fail(T0), fail(T0 + 59_999)], { after_failing_s: 60 })).toBeNull();
    expect(run([fail(T0), fail(T0 + 60_000)], { after_failing_s: 60 })).toBe("failing");
    expect(run([fail(T0), ok(T0 + 30_000), fail(T0 + 60_000)], { after_failing_s: 60 })).toBeNull();
  });

  it("quarantines on a 410 only with on_gone, and never without a quarantine config", () => {
    expect(run([fail(T0, false, 410)], { on_gone: true })).toBe("gone");
    expect(run([fail(T0, false, 410)], { after_open_cycles: 3 })).toBeNull();
    expect(run([fail(T0, true), fail(T0 + 3_600_000, true)], undefined)).toBeNull();
  });

  it("waits 5 s early in a pause, a tenth of its age later, at most 60 s", () => {
    expect(pausedWaitMs(T0, T0)).toBe(5_000);
    expect(pausedWaitMs(T0, T0 + 200_000)).toBe(20_000);
    expect(pausedWaitMs(T0, T0 + 86_400_000)).toBe(60_000);
  });
});

describe("attempt log records", () => {
  it("names outcomes: delivered, rejected, failed, timeout, network_error", () => {
    expect(outcomeName({ kind: "response", status: 204 })).toBe("delivered");
    expect(outcomeName({ kind: "response", status: 422 })).toBe("rejected");
    expect(outcomeName({ kind: "response", status: 429 })).toBe("failed");
    expect(outcomeName({ kind: "response", status: 503 })).toBe("failed");
    expect(outcomeName({ kind: "timeout" })).toBe("timeout");
    expect(outcomeName({ kind: "network_error", message: "x" })).toBe("network_error");
  });

  it("keeps 1 KiB as UTF-8 (dropping a cut character) or base64", () => {
    const text = new TextEncoder().encode(`a${"€".repeat(400)}`); // 1 + 1200 bytes: cut inside a €
    const kept = excerptOf(text, false);
    expect(kept).toEqual({ excerpt: `a${"€".repeat(341)}`, encoding: "utf8" });
    expect(excerptOf(new Uint8Array([0xff, 0x00, 0x41]), false)).toEqual({ excerpt: btoa("\xff\x00A"), encoding: "base64" });
    expect(excerptOf(new Uint8Array(0), false)).toEqual({ excerpt: null, encoding: null });
  });
});

describe("X-Request-Start", () => {
  it("is written as t=<ms> and read in s, ms, µs or ns", () => {
    expect(requestStartHeader(T0)).toBe(`t=${T0}`);
    expect(producerQueueMs(`t=${T0 - 250}`, T0)).toBe(250);
    expect(producerQueueMs(`t=${(T0 - 1500) / 1000}`, T0)).toBe(1500);
    expect(producerQueueMs(`${(T0 - 2) * 1000}`, T0)).toBe(2);
    expect(producerQueueMs(`t=${(T0 - 3) * 1_000_000}`, T0)).toBe(3);
    expect(producerQueueMs("soon", T0)).toBeNull();
    expect(producerQueueMs(`t=${T0 + 10_000}`, T0)).toBeNull();
    expect(producerQueueMs(undefined, T0)).toBeNull();
  });
});
