// Inline SVG charts (no script, no external asset): a per-minute sparkline of deliveries and failures
// from the EndpointGuard snapshot's `per_minute`, and p50/p95 latency bars per route.
import type { GuardSnapshot, RouteStats } from "../../ports/guard";

const MINUTE = 60_000;

export interface MinuteSeries {
  delivered: number[];
  failed: number[];
  totalDelivered: number;
  totalFailed: number;
  peak: number;
}

/** Dense series of the last `minutes` minutes ending with the current one; minutes without calls are 0. */
export function minuteSeries(perMinute: GuardSnapshot["per_minute"], now: number, minutes = 120): MinuteSeries {
  const last = Math.floor(now / MINUTE) * MINUTE;
  const first = last - (minutes - 1) * MINUTE;
  const delivered = new Array<number>(minutes).fill(0);
  const failed = new Array<number>(minutes).fill(0);
  for (const m of perMinute) {
    const slot = (Date.parse(m.minute) - first) / MINUTE;
    if (!Number.isInteger(slot) || slot < 0 || slot >= minutes) continue;
    delivered[slot] = m.delivered;
    failed[slot] = m.failed;
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { delivered, failed, totalDelivered: sum(delivered), totalFailed: sum(failed), peak: Math.max(0, ...delivered, ...failed) };
}

/** Polyline points on a `length-1` × `height` integer grid, dropping the middle of flat runs (most minutes are alike). */
export function linePoints(values: readonly number[], peak: number, height: number): string {
  const y = values.map((v) => (peak === 0 ? height : Math.round(height - (v / peak) * height)));
  const points: string[] = [];
  for (let i = 0; i < y.length; i++) {
    const here = y[i];
    if (i > 0 && i < y.length - 1 && y[i - 1] === here && y[i + 1] === here) continue;
    points.push(`${i},${String(here)}`);
  }
  return points.join(" ");
}

export function describeSeries(s: MinuteSeries): string {
  return `Last 2 hours per minute: ${s.totalDelivered} delivered, ${s.totalFailed} failed, peak ${s.peak} a minute`;
}

/** Deliveries (green) and failures (red) per minute; `large` for the endpoint page. */
export function Sparkline(props: { series: MinuteSeries; large?: boolean }) {
  const { series } = props;
  const h = 30;
  const label = describeSeries(series);
  return (
    <svg
      class="spark"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${series.delivered.length - 1} ${h}`}
      preserveAspectRatio="none"
      width={props.large === true ? "100%" : "160"}
      height={props.large === true ? "120" : "32"}
    >
      <title>{label}</title>
      <polyline fill="none" stroke="#137333" stroke-width="1.5" vector-effect="non-scaling-stroke" points={linePoints(series.delivered, series.peak, h)} />
      <polyline fill="none" stroke="#b3261e" stroke-width="1.5" vector-effect="non-scaling-stroke" points={linePoints(series.failed, series.peak, h)} />
    </svg>
  );
}

/** Horizontal p50 (light) and p95 (dark) bars per route, scaled to the largest p95. */
export function LatencyBars(props: { routes: readonly RouteStats[] }) {
  const rows = props.routes.filter((r) => r.p95_ms !== null);
  if (rows.length === 0) return <p>No calls in the last hour.</p>;
  const max = Math.max(...rows.map((r) => r.p95_ms ?? 0), 1);
  const rowH = 30;
  const labelW = 200;
  const barW = 300;
  const label = `Latency by route, last hour: ${rows.map((r) => `${r.route} p50 ${Math.round(r.p50_ms ?? 0)} ms, p95 ${Math.round(r.p95_ms ?? 0)} ms`).join("; ")}`;
  return (
    <svg class="bars" role="img" aria-label={label} viewBox={`0 0 ${labelW + barW + 90} ${rows.length * rowH}`} width="100%">
      <title>{label}</title>
      {rows.map((r, i) => {
        const p50 = Math.max(1, ((r.p50_ms ?? 0) / max) * barW);
        const p95 = Math.max(1, ((r.p95_ms ?? 0) / max) * barW);
        const y = i * rowH;
        return (
          <g>
            <text x="0" y={y + 19} font-size="13" fill="#1f1f1f">
              {r.route.length > 28 ? `${r.route.slice(0, 27)}…` : r.route}
            </text>
            <rect x={labelW} y={y + 6} width={p95.toFixed(1)} height="18" fill="#0b57d0" />
            <rect x={labelW} y={y + 10} width={p50.toFixed(1)} height="10" fill="#a8c7fa" />
            <text x={labelW + p95 + 6} y={y + 19} font-size="13" fill="#1f1f1f">{`${Math.round(r.p95_ms ?? 0)} ms`}</text>
          </g>
        );
      })}
    </svg>
  );
}
