// Overview page: every endpoint (breaker, time to half-open, in-flight, last hour's success rate and
// p95, dead letters waiting, a per-minute sparkline) and every route with its endpoint's breaker.
import type { Hono } from "hono";
import type { Config } from "../../config/load";
import type { GuardSnapshot } from "../../ports/guard";
import { sessionOf, type ConsoleEnv } from "./context";
import { minuteSeries, Sparkline } from "./charts";
import { loadHealth, type Health } from "./data";
import { duration, millis, percent } from "./format";
import { BreakerBadge, Layout, page, Scroll } from "./layout";
import { CONSOLE_PATH, takeFlash } from "./session";
import { Silences } from "./silences";

export function registerOverview(app: Hono<ConsoleEnv>): void {
  app.get("/", async (c) => {
    const config = c.get("config");
    const now = c.env.ports.clock.now();
    const [health, silences] = await Promise.all([loadHealth(c.env.ports, config), c.env.ports.silences.listActive(now)]);
    return page(
      c,
      <Layout title="Overview" section="overview" session={sessionOf(c)} flash={takeFlash(c)}>
        <Summary config={config} health={health} />
        <h2 id="endpoints">Endpoints</h2>
        <Endpoints config={config} health={health} now={now} />
        <h2 id="routes">Routes</h2>
        <Routes config={config} health={health} />
        <h2 id="silences">Silences</h2>
        <Silences silences={silences} windows={config.maintenanceWindows} now={now} />
      </Layout>,
    );
  });
}

export const endpointHref = (name: string) => `${CONSOLE_PATH}/endpoints/${encodeURIComponent(name)}`;
export const dlqHref = (filter: Record<string, string>) => `${CONSOLE_PATH}/dlq?${new URLSearchParams(filter).toString()}`;

function Summary(props: { config: Config; health: Health }) {
  const snaps = [...props.health.snapshots.values()];
  const open = snaps.filter((s) => s !== null && s.breaker.state !== "closed").length;
  const sum = (f: (s: GuardSnapshot) => number) => snaps.reduce((n, s) => n + (s === null ? 0 : f(s)), 0);
  const waiting = [...props.health.waitingByEndpoint.values()].reduce((a, b) => a + b, 0);
  return (
    <div class="cards" role="list" aria-label="Summary">
      <div role="listitem">
        Breakers not closed
        <b>
          {open} of {props.config.endpoints.size}
        </b>
      </div>
      <div role="listitem">
        Delivered, last hour<b>{sum((s) => s.last_hour.total.delivered)}</b>
      </div>
      <div role="listitem">
        Failed, last hour<b>{sum((s) => s.last_hour.total.failed)}</b>
      </div>
      <div role="listitem">
        Dead letters waiting
        <b>
          <a href={`${CONSOLE_PATH}/dlq`}>{waiting}</a>
        </b>
      </div>
    </div>
  );
}

/** "half-open in 27 s", "probing", or the consecutive failures of a closed breaker. */
export function breakerNote(s: GuardSnapshot | null): string {
  if (s === null) return "guard unreachable";
  const b = s.breaker;
  if (b.state === "open") return b.retry_in_ms === null ? "" : `half-open in ${duration(b.retry_in_ms)}`;
  if (b.state === "half_open") return "probing";
  return b.consecutive_failures === 0 ? "" : `${b.consecutive_failures} failing in a row`;
}

function Endpoints(props: { config: Config; health: Health; now: number }) {
  return (
    <Scroll label="Endpoints">
      <table>
        <caption>Breakers and delivery health; rates and latency over the last hour, chart over the last 2 hours</caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Breaker</th>
            <th scope="col" class="n">
              In flight
            </th>
            <th scope="col" class="n">
              Success
            </th>
            <th scope="col" class="n">
              p95
            </th>
            <th scope="col" class="n">
              Dead letters
            </th>
            <th scope="col">
              Deliveries <span class="legend">(green) and failures (red) per minute</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...props.config.endpoints.values()].map((e) => {
            const s = props.health.snapshots.get(e.name) ?? null;
            const series = minuteSeries(s?.per_minute ?? [], props.now);
            const waiting = props.health.waitingByEndpoint.get(e.name) ?? 0;
            return (
              <tr>
                <th scope="row">
                  <a href={endpointHref(e.name)}>{e.name}</a>
                </th>
                <td>
                  <BreakerBadge state={s?.breaker.state ?? null} /> <span class="mut">{breakerNote(s)}</span>
                </td>
                <td class="n">{s === null ? "–" : `${s.inflight} / ${e.max_concurrency}`}</td>
                <td class="n">{percent(s?.last_hour.total.success_rate ?? null)}</td>
                <td class="n">{millis(s?.last_hour.total.p95_ms ?? null)}</td>
                <td class="n">{waiting === 0 ? "0" : <a href={dlqHref({ endpoint: e.name })}>{waiting}</a>}</td>
                <td>
                  <Sparkline series={series} />
                  <span class="legend">{`${series.totalDelivered} ok, ${series.totalFailed} failed`}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Scroll>
  );
}

function Routes(props: { config: Config; health: Health }) {
  return (
    <Scroll label="Routes">
      <table>
        <caption>Routing rules as configured, one row per destination; success, p95 and filtered over the last hour</caption>
        <thead>
          <tr>
            <th scope="col">Event type</th>
            <th scope="col">Source</th>
            <th scope="col">Mode</th>
            <th scope="col">Destination</th>
            <th scope="col">Breaker</th>
            <th scope="col" class="n">
              Timeout
            </th>
            <th scope="col">Fallback</th>
            <th scope="col">Ordering</th>
            <th scope="col">Schema</th>
            <th scope="col" class="n">
              Success
            </th>
            <th scope="col" class="n">
              p95
            </th>
            <th scope="col" class="n">
              Filtered
            </th>
            <th scope="col" class="n">
              Dead letters
            </th>
          </tr>
        </thead>
        <tbody>
          {props.config.rules.flatMap((r) =>
            r.destinations.map((d, i) => {
              const s = props.health.snapshots.get(d.endpoint) ?? null;
              const stats = s?.last_hour.routes.find((x) => x.route === r.name);
              const waiting = props.health.waitingByRoute.get(`${r.name}|${d.endpoint}`) ?? 0;
              const span = r.destinations.length;
              const rows = span > 1 ? span : undefined;
              return (
                <tr>
                  {i === 0 ? (
                    <>
                      <th scope="row" rowspan={rows}>
                        <code>{r.event_type}</code>
                        {r.filter === null ? null : (
                          <div class="mut">
                            if <code>{JSON.stringify(r.filter.json)}</code>
                          </div>
                        )}
                      </th>
                      <td rowspan={rows}>{r.source ?? <span class="mut">any</span>}</td>
                      <td rowspan={rows}>{r.mode}</td>
                    </>
                  ) : null}
                  <td>
                    <a href={endpointHref(d.endpoint)}>{d.endpoint}</a>
                    {r.mode === "sync" && i === 0 && span > 1 ? <span class="mut"> (primary)</span> : null}
                    {d.filter === null ? null : (
                      <div class="mut">
                        if <code>{JSON.stringify(d.filter.json)}</code>
                      </div>
                    )}
                  </td>
                  <td>
                    <BreakerBadge state={s?.breaker.state ?? null} /> <span class="mut">{breakerNote(s)}</span>
                  </td>
                  {i === 0 ? (
                    <>
                      <td class="n" rowspan={rows}>
                        {r.mode === "sync" ? `${r.effectiveTimeoutMs} ms` : <span class="mut">{`${r.policy.maxAttempts} attempts`}</span>}
                      </td>
                      <td rowspan={rows}>{r.mode === "sync" ? r.fallback : <span class="mut">–</span>}</td>
                      <td rowspan={rows}>{r.ordering_key === undefined ? <span class="mut">none</span> : <code>{r.ordering_key}</code>}</td>
                      <td rowspan={rows}>
                        <SchemaCell schema={r.schema} violations={props.health.snapshots.get(r.endpoint)?.last_hour.schema_violations?.[r.name] ?? 0} />
                      </td>
                    </>
                  ) : null}
                  <td class="n">{percent(stats?.success_rate ?? null)}</td>
                  <td class="n">{millis(stats?.p95_ms ?? null)}</td>
                  <td class="n">{stats?.filtered ?? 0}</td>
                  <td class="n">{waiting === 0 ? "0" : <a href={dlqHref({ endpoint: d.endpoint, event_type: r.event_type })}>{waiting}</a>}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </Scroll>
  );
}

/** A rule's event schema and the events it refused in the last hour (docs/contract.md §9). */
function SchemaCell(props: { schema: string | undefined; violations: number }) {
  if (props.schema === undefined) return <span class="mut">none</span>;
  return (
    <>
      <code>{props.schema}</code>
      {props.violations > 0 ? <span class="mut">{` ${props.violations} refused`}</span> : null}
    </>
  );
}
