// Load generators: saturation (autocannon, closed loop, N connections) for requests/s, and a
// fixed-rate open loop (node:http, one request every 1/rate s) for latency below saturation.
import autocannon from "autocannon";
import http from "node:http";
import { percentile } from "./stats";

export interface LoadSpec {
  url: string;
  body: Buffer;
  /** Headers sent on every request. */
  headers: Record<string, string>;
  /** Per-request headers (a fresh idempotency key and signature), when the target needs them. */
  next?: () => Record<string, string>;
  expectStatus: number;
  /** Called with each request's own headers and its answer's status (0: no answer); fixedRate only. */
  onAnswer?: (sent: Record<string, string>, status: number) => void;
}

export interface LoadResult {
  completed: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers whose status was not the expected one, and connection errors/timeouts. */
  unexpected: number;
  statuses: Record<string, number>;
}

export async function saturate(spec: LoadSpec, connections: number, seconds: number): Promise<LoadResult> {
  const target = new URL(spec.url);
  const next = spec.next;
  const request: autocannon.Request = { method: "POST", path: target.pathname, body: spec.body, headers: spec.headers };
  // autocannon calls setupRequest whenever the key is present, even when it is undefined.
  if (next !== undefined) request.setupRequest = (req) => ({ ...req, headers: { ...spec.headers, ...next() } });
  const result = await autocannon({ url: target.origin, connections, duration: seconds, timeout: 10, requests: [request] });
  const statuses: Record<string, number> = {};
  let completed = 0;
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = stat.count ?? 0;
    completed += stat.count ?? 0;
  }
  const expected = statuses[String(spec.expectStatus)] ?? 0;
  return {
    completed,
    seconds: result.duration,
    rps: completed / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    unexpected: completed - expected + result.errors,
    statuses,
  };
}

const agents = new Map<string, http.Agent>();

function agentFor(origin: string): http.Agent {
  let agent = agents.get(origin);
  if (agent === undefined) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    agents.set(origin, agent);
  }
  return agent;
}

export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/**
 * Sends `rate` requests per second for `seconds`, on schedule whatever the answers do (an open
 * loop, so a slow answer does not slow the offered load). Latency runs from the moment a request
 * is written to the end of its answer.
 */
export function fixedRate(spec: LoadSpec, rate: number, seconds: number): Promise<LoadResult> {
  const target = new URL(spec.url);
  const agent = agentFor(target.origin);
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let finished = 0;
  let errors = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const elapsed = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const expected = statuses[String(spec.expectStatus)] ?? 0;
      resolve({
        completed: latencies.length,
        seconds: elapsed,
        rps: latencies.length / elapsed,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        unexpected: latencies.length - expected + errors + (total - finished),
        statuses,
      });
    };
    const deadline = setTimeout(settle, (seconds + 15) * 1000);
    const done = () => {
      finished++;
      if (finished === total) settle();
    };
    const send = () => {
      const own = spec.next?.() ?? {};
      const headers = { ...spec.headers, ...own, "Content-Length": String(spec.body.byteLength) };
      const req = http.request(target, { method: "POST", agent, headers }, (res) => {
        res.on("data", () => undefined);
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          const code = String(res.statusCode);
          statuses[code] = (statuses[code] ?? 0) + 1;
          spec.onAnswer?.(own, res.statusCode ?? 0);
          done();
        });
      });
      req.setTimeout(10_000, () => req.destroy());
      req.on("error", () => {
        errors++;
        spec.onAnswer?.(own, 0);
        done();
      });
      const t0 = performance.now();
      req.end(spec.body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) {
        sent++;
        send();
      }
      if (sent < total && !settled) setTimeout(tick, 1);
    };
    tick();
  });
}
