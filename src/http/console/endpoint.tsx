// Endpoint page: breaker state and recent transitions, in-flight calls, last hour per route, the
// per-minute delivery chart, p50/p95 latency bars, the breaker reset (post/redirect/get), the
// lifecycle state with pause/resume (console/history.tsx) and a link to the attempt log.
import type { Hono } from "hono";
import type { Endpoint } from "../../config/load";
import { redactUrl } from "../../core/url-guard";
import type { GuardSnapshot } from "../../ports/guard";
import { log } from "../../log";
import { sessionOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { LatencyBars, minuteSeries, Sparkline } from "./charts";

import { listHref } from "./dead-letters";
import { duration, millis, percent, utc } from "./format";
import { BreakerBadge, ConfirmAction, Layout, page, Scroll } from "./layout";
import { breakerNote, endpointHref } from "./overview";
import { CONSOLE_PATH, setFlash, takeFlash } from "./session";
import { recordAudit } from "../admin/audit-log";

const TRANSITIONS_SHOWN = 20;

export function registerEndpointPage(app: Hono<ConsoleEnv>): void {
  app.get("/endpoints/:name", async (c) => {
    const endpoint = endpointOf(c);
    if (endpoint === undefined) return notFound(c);
    return endpointPage(c, endpoint, await c.env.ports.guard.snapshot(endpoint));
  });

  app.post("/endpoints/:name/reset", async (c) => {
    const endpoint = endpointOf(c);
    if (endpoint === undefined) return notFound(c);
    await c.env.ports.guard.reset(endpoint);
    await recordAudit(c, { action: "endpoint.reset", target: endpoint.name, result: "ok" });
    log("warn", "breaker_reset", { trace_id: c.get("trace").traceId, endpoint: endpoint.name, via: "console" });
    setFlash(c, { kind: "ok", text: `The breaker of ${endpoint.name} is closed.` });
    return c.redirect(endpointHref(endpoint.name), 303);
  });
}

function endpointOf(c: ConsoleContext): Endpoint | undefined {
  const config = c.get("config");
  return config.endpoints.get(c.req.param("name") ?? "");
}

function notFound(c: ConsoleContext) {
  return page(
    c,
    <Layout title="No such endpoint" section="endpoint" session={sessionOf(c)}>
      <p>
        <a href={CONSOLE_PATH}>Back to the overview</a>.
      </p>
    </Layout>,
    404,
  );
}

function lifecycleNote(s: GuardSnapshot | null): string {
  if (s === null) return "";
  const l = s.lifecycle;
  if (l.state === "paused") return `since ${utc(l.paused_at)}${l.pause_reason === null ? "" : ` (${l.pause_reason})`}`;
  if (l.state === "quarantined") return `since ${utc(l.quarantined_at)} (${l.quarantine_reason ?? "?"})`;
  return "receiving deliveries";
}

function endpointPage(c: ConsoleContext, e: Endpoint, s: GuardSnapshot | null) {
  const now = c.env.ports.clock.now();
  const session = sessionOf(c);
  const cfg = e.breaker;
  const series = minuteSeries(s?.per_minute ?? [], now);
  const total = s?.last_hour.total;
  return page(
    c,
    <Layout title={`Endpoint ${e.name}`} section="endpoint" session={session} flash={takeFlash(c)}>
      <p>
        <code class="id">{redactUrl(e.url)}</code>
      </p>
      <div class="cards" role="list" aria-label="State">
        <div role="listitem">
          Delivery
          <b>
            <span class={`b ${s?.lifecycle.state ?? "mut"}`}>{s?.lifecycle.state ?? "unknown"}</span>
          </b>
          <span class="mut">{lifecycleNote(s)}</span>
        </div>
        <div role="listitem">
          Breaker
          <b>
            <BreakerBadge state={s?.breaker.state ?? null} />
          </b>
          <span class="mut">{breakerNote(s)}</span>
        </div>
        <div role="listitem">
          In flight<b>{s === null ? "–" : `${s.inflight} / ${e.max_concurrency}`}</b>
        </div>
        <div role="listitem">
          Success, last hour<b>{percent(total?.success_rate ?? null)}</b>
        </div>
        <div role="listitem">
          p50 / p95<b>{`${millis(total?.p50_ms ?? null)} / ${millis(total?.p95_ms ?? null)}`}</b>
        </div>
        <div role="listitem">
          Delivered / failed<b>{`${total?.delivered ?? 0} / ${total?.failed ?? 0}`}</b>
        </div>
        <div role="listitem">
          Dead-lettered
          <b>
            <a href={listHref({ endpoint: e.name })}>{total?.dead_lettered ?? 0}</a>
          </b>
          <span class="mut">last hour</span>
        </div>
      </div>
      <div class="actions">
        <ConfirmAction
          session={session}
          action={`${endpointHref(e.name)}/reset`}
          summary="Reset breaker…"
          danger={s?.breaker.state !== "closed"}
          question={`Close the breaker of ${e.name} now? Calls go out at once, without waiting for a half-open probe.`}
          confirm="Close the breaker"
        />
        {s?.lifecycle.state === "active" ? (
          <ConfirmAction
            session={session}
            action={`${endpointHref(e.name)}/pause`}
            summary="Pause…"
            danger
            question={`Pause ${e.name}? Nothing is sent to it until it is resumed: async events wait, sync calls fall back or get 503.`}
            confirm="Pause the endpoint"
          />
        ) : (
          <ConfirmAction
            session={session}
            action={`${endpointHref(e.name)}/resume`}
            summary="Resume…"
            question={`Resume ${e.name}? Waiting events are delivered at once (ordered keys in order).`}
            confirm="Resume the endpoint"
          />
        )}
      </div>
      <p>
        <a href={`${endpointHref(e.name)}/attempts`}>Attempt log</a> (every attempt with the first KiB of the answer)
      </p>
      <p class="mut">{`Opens after ${cfg.failureThreshold} failures in a row${cfg.failureRate === undefined ? "" : ` or ${percent(cfg.failureRate.threshold)} of the last ${cfg.failureRate.window} calls`}; half-open after ${duration(cfg.recoveryTimeoutMs)} (doubling while probes fail), ${cfg.halfOpenMaxProbes} probe${cfg.halfOpenMaxProbes === 1 ? "" : "s"} at a time.`}</p>
      <h2>Deliveries per minute</h2>
      <figure>
        <Sparkline series={series} large />
        <figcaption class="legend">
          Last 2 hours, one point a minute, oldest on the left: deliveries (green), failures (red).{" "}
          {`${series.totalDelivered} delivered, ${series.totalFailed} failed; peak ${series.peak} a minute.`}
        </figcaption>
      </figure>
      <h2>Latency, last hour</h2>
      <LatencyBars routes={s?.last_hour.routes ?? []} />
      <p class="legend">Dark bar: p95; light bar: p50.</p>
      {(s?.last_hour.routes.length ?? 0) === 0 ? null : (
        <Scroll label="Routes of this endpoint">
          <table>
            <caption>Per route, last hour</caption>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col" class="n">
                  Delivered
                </th>
                <th scope="col" class="n">
                  Failed
                </th>
                <th scope="col" class="n">
                  Dead-lettered
                </th>
                <th scope="col" class="n">
                  Success
                </th>
                <th scope="col" class="n">
                  p50
                </th>
                <th scope="col" class="n">
                  p95
                </th>
              </tr>
            </thead>
            <tbody>
              {(s?.last_hour.routes ?? []).map((r) => (
                <tr>
                  <th scope="row">
                    <code>{r.route}</code>
                  </th>
                  <td class="n">{r.delivered}</td>
                  <td class="n">{r.failed}</td>
                  <td class="n">{r.dead_lettered}</td>
                  <td class="n">{percent(r.success_rate)}</td>
                  <td class="n">{millis(r.p50_ms)}</td>
                  <td class="n">{millis(r.p95_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <h2>Breaker history</h2>
      {(s?.transitions.length ?? 0) === 0 ? (
        <p class="mut">No transitions recorded.</p>
      ) : (
        <Scroll label="Breaker history">
          <table>
            <caption>{`Most recent ${TRANSITIONS_SHOWN} transitions, newest first`}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col" class="n">
                  Ago
                </th>
              </tr>
            </thead>
            <tbody>
              {(s?.transitions ?? []).slice(0, TRANSITIONS_SHOWN).map((t) => (
                <tr>
                  <td>
                    <time datetime={t.at}>{utc(t.at)}</time>
                  </td>
                  <td>{t.from.replace("_", "-")}</td>
                  <td>{t.to.replace("_", "-")}</td>
                  <td class="n">{duration(now - Date.parse(t.at))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </Layout>,
  );
}
