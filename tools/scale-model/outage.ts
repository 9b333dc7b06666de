// The hot route's endpoint down for a while, second by second, through the real state machines:
// core/guard-policy admission on the isolates' (lagging) view, core/breaker on the guard object,
// core/outcome + core/retry for what each failed or waiting delivery does next.
import { admit, initialBreaker, tick, transition, type BreakerConfig, type BreakerState } from "../../src/core/breaker";
import { atOnceShare } from "../../src/core/guard-fanin";
import { admission } from "../../src/core/guard-policy";
import { decide, type AttemptResult } from "../../src/core/outcome";
import { toQueueDelaySeconds, type RetryPolicy } from "../../src/core/retry";
import { deadLetterCalls } from "./pending";

export interface OutageInput {
  ratePerS: number;
  outageS: number;
  /** Deliveries per second the consumers give the route. */
  capacityPerS: number;
  /**
   * Seconds until a calling isolate's view shows a trip: its own failures are exchanged at once and
   * the answer carries the object's view (src/adapters/endpoint-guard-client.ts), so about one.
   */
  propagationS: number;
  /** Consumer isolates: they ask a half-open object and report failures. */
  callers: number;
  /** Guard calls per second from steady traffic (flushes). */
  baselineGuardPerS: number;
  breaker: BreakerConfig;
  policy: RetryPolicy;
  halfOpenAsk: "per-call" | "per-isolate";
  failureReports: "each-at-once" | "on-interval";
  /** Seconds between one isolate's exchanges with the guard (pending.ts guardIntervalMs). */
  intervalS: number;
  /** The route's messages in one consumer batch (batch size × the route's share of the queue). */
  perBatch: number;
  rowsPerCall: number;
  /** The endpoint answers 400 to everything instead of being down (dead letters at once, breaker closed). */
  rejecting: boolean;
  /** Stop here even when the backlog has not drained. */
  maxS: number;
}

export interface Second {
  t: number;
  queueWrites: number;
  guardCalls: number;
  /** Of guardCalls: failure reports, and asks to a half-open object. */
  tripReports: number;
  halfOpenAsks: number;
  d1Rows: number;
  d1Calls: number;
  delivered: number;
  backlog: number;
  breaker: BreakerState["kind"];
}

export interface OutageResult {
  seconds: Second[];
  deadLettered: number;
  /** First second after the outage with nothing left waiting, or null. */
  drainedAtS: number | null;
  peakBacklog: number;
}

interface Cohort {
  n: number;
  attempt: number;
}

const HALF = () => 0.5; // jitter draws at the middle of the range

export function simulateOutage(input: OutageInput): OutageResult {
  const due = new Map<number, Cohort[]>();
  const ready: Cohort[] = [];
  const history: BreakerState[] = [];
  const seconds: Second[] = [];
  let breaker = initialBreaker();
  let deadLettered = 0;
  let drainedAtS: number | null = null;
  let peakBacklog = 0;
  const schedule = (at: number, n: number, attempt: number) => {
    const list = due.get(at) ?? [];
    list.push({ n, attempt });
    due.set(at, list);
  };

  for (let t = 0; t < input.maxS; t++) {
    const now = t * 1000;
    const down = t < input.outageS;
    const s: Second = {
      t,
      queueWrites: input.ratePerS,
      guardCalls: input.baselineGuardPerS,
      tripReports: 0,
      halfOpenAsks: 0,
      d1Rows: 0,
      d1Calls: 0,
      delivered: 0,
      backlog: 0,
      breaker: "closed",
    };
    ready.push({ n: input.ratePerS, attempt: 0 }, ...(due.get(t) ?? []));
    due.delete(t);
    const view = history[t - input.propagationS] ?? initialBreaker();
    let asks = 0;
    let processed = 0;

    const after = (result: AttemptResult, n: number, attempt: number) => {
      const d = decide({ result, attempt: attempt + 1, policy: input.policy, random: HALF });
      if (d.kind === "retry" || d.kind === "wait") {
        schedule(t + Math.max(1, toQueueDelaySeconds(d.delayMs)), n, d.kind === "retry" ? attempt + 1 : attempt);
        s.queueWrites += n;
      } else if (d.kind === "dead_letter") s.d1Rows += n;
      else s.delivered += n;
    };
    const call = (n: number, attempt: number, probe: boolean) => {
      if (!down || input.rejecting) {
        if (probe || breaker.kind === "closed") breaker = transition(breaker, { kind: "success" }, now, input.breaker);
        after({ kind: "response", status: down ? 400 : 200 }, n, attempt);
        return;
      }
      // Today each failure is reported to the object at once, up to failure_threshold per isolate
      // before its own view opens (core/guard-policy afterReport). After i20g only a share of the
      // isolates reports at once (core/guard-policy failureReportAtOnce → core/guard-fanin
      // atOnceShare), one report each; the rest ride on the next exchange, already counted in the baseline.
      const reports = input.failureReports === "each-at-once" ? input.callers * input.breaker.failureThreshold : input.callers * atOnceShare(input.intervalS * 1000);
      s.tripReports += probe ? 0 : Math.min(n, reports);
      for (let i = 0; i < Math.min(n, input.breaker.failureThreshold); i++) breaker = transition(breaker, { kind: "failure" }, now, input.breaker);
      after({ kind: "response", status: 503 }, n, attempt);
    };

    while (processed < input.capacityPerS && ready.length > 0) {
      const c = ready[0];
      if (c === undefined) break;
      const n = Math.min(c.n, input.capacityPerS - processed);
      c.n -= n;
      if (c.n === 0) ready.shift();
      processed += n;
      const a = admission({
        view: { breaker: view, othersInflight: 0, backlog: {} },
        now,
        cfg: input.breaker,
        localInflight: 0,
        mode: "async",
        maxConcurrency: Number.MAX_SAFE_INTEGER,
      });
      if (a.kind === "go") call(n, c.attempt, false);
      else if (a.kind === "reject") after({ kind: "breaker_open", retryInMs: a.retryInMs }, n, c.attempt);
      else {
        asks += n;
        const granted = admit(breaker, now, input.breaker);
        breaker = granted.state;
        let rest = n;
        if (granted.admission.kind === "probe") {
          rest -= 1;
          call(1, c.attempt, true);
        }
        const again = admit(breaker, now, input.breaker).admission;
        const retryInMs = again.kind === "reject" ? again.retryInMs : 1000;
        if (rest > 0) after({ kind: "breaker_open", retryInMs }, rest, c.attempt);
      }
    }
    // After i20g an isolate asks at most once per interval, and only when its view is due for a
    // refresh (core/guard-policy mayAskObject): the ask is that refresh, so it adds no call.
    s.halfOpenAsks = input.halfOpenAsk === "per-call" ? asks : Math.min(asks, input.callers / input.intervalS);
    s.guardCalls += s.tripReports + (input.halfOpenAsk === "per-call" ? s.halfOpenAsks : 0);
    const batches = Math.max(1, Math.ceil(processed / Math.max(1, input.perBatch)));
    s.d1Calls = s.d1Rows <= batches ? s.d1Rows : batches * deadLetterCalls(Math.ceil(s.d1Rows / batches), input.rowsPerCall);
    if (input.rowsPerCall === 1) s.d1Calls = s.d1Rows;
    deadLettered += s.d1Rows;
    breaker = tick(breaker, now + 999, input.breaker);
    history[t] = breaker;
    s.breaker = breaker.kind;
    s.backlog = ready.reduce((sum, c) => sum + c.n, 0) + [...due.values()].flat().reduce((sum, c) => sum + c.n, 0);
    peakBacklog = Math.max(peakBacklog, s.backlog);
    seconds.push(s);
    if (!down && s.backlog <= input.ratePerS && drainedAtS === null && t > input.outageS) {
      drainedAtS = t;
      break;
    }
  }
  return { seconds, deadLettered, drainedAtS, peakBacklog };
}
