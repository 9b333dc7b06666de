// Console pages of the endpoint lifecycle and delivery history (docs/contract.md §6, §7): pause and
// resume (post/redirect/get, behind a confirmation), an endpoint's attempt log with each answer's
// excerpt, and the event search (what is known of one message id, per destination).
import type { Hono } from "hono";
import type { Endpoint } from "../../config/load";
import { lookupEvent, type DestinationTrace } from "../../delivery/event-lookup";
import { pauseEndpoint, resumeEndpoint } from "../../delivery/lifecycle";
import type { AttemptLogEntry } from "../../ports/guard";
import { log } from "../../log";
import { decodeSeqCursor } from "../admin/cursor";
import { formOf, sessionOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { millis, utc } from "./format";
import { Layout, page, Scroll } from "./layout";
import { endpointHref } from "./overview";
import { CONSOLE_PATH, setFlash, takeFlash } from "./session";

const PAGE_SIZE = 50;
export const EVENTS_PATH = `${CONSOLE_PATH}/events`;

export function registerHistoryPages(app: Hono<ConsoleEnv>): void {
  for (const action of ["pause", "resume"] as const) {
    app.post(`/endpoints/:name/${action}`, async (c) => {
      const endpoint = endpointOf(c);
      if (endpoint === undefined) return missing(c, "No such endpoint");
      const config = c.get("config");
      const reason = (formOf(c)["reason"] ?? "").trim().slice(0, 500);
      const lifecycle =
        action === "pause" ? await pauseEndpoint(c.env.ports, config, endpoint, reason === "" ? null : reason) : await resumeEndpoint(c.env.ports, config, endpoint);
      log("warn", `endpoint_${action}_requested`, { trace_id: c.get("trace").traceId, endpoint: endpoint.name, state: lifecycle.state, via: "console" });
      setFlash(c, { kind: "ok", text: `${endpoint.name} is ${lifecycle.state}.` });
      return c.redirect(endpointHref(endpoint.name), 303);
    });
  }

  app.get("/endpoints/:name/attempts", async (c) => {
    const endpoint = endpointOf(c);
    if (endpoint === undefined) return missing(c, "No such endpoint");
    const cursor = c.req.query("cursor");
    const before = cursor === undefined ? null : decodeSeqCursor(cursor);
    const attemptPage = await c.env.ports.guard.attempts(endpoint, PAGE_SIZE, before);
    return page(
      c,
      <Layout title={`Attempts of ${endpoint.name}`} section="endpoint" session={sessionOf(c)} flash={takeFlash(c)}>
        <p>
          <a href={endpointHref(endpoint.name)}>Back to the endpoint</a>
        </p>
        <AttemptTable attempts={attemptPage.items} caption="Most recent attempts, newest first" withMessage />
        {attemptPage.next === null ? null : (
          <p>
            <a href={`${endpointHref(endpoint.name)}/attempts?cursor=${attemptPage.next}`}>Older attempts</a>
          </p>
        )}
      </Layout>,
    );
  });

  app.get("/events", async (c) => {
    const id = (c.req.query("id") ?? "").trim().slice(0, 128);
    const trace = id === "" ? null : await lookupEvent(c.env.ports, c.get("config"), id);
    return page(
      c,
      <Layout title="Events" section="events" session={sessionOf(c)}>
        <form method="get" action={EVENTS_PATH} role="search">
          <label for="event-id">Message id</label> <input id="event-id" name="id" value={id} required maxlength={128} /> <button type="submit">Look up</button>
        </form>
        {id === "" ? null : trace === null ? (
          <p role="status">Nothing is known of this id (attempt logs keep each endpoint's last 1000 attempts).</p>
        ) : (
          <>
            <p>{`Source ${trace.source ?? "–"}, type ${trace.eventType ?? "–"}, route ${trace.route ?? "–"}.`}</p>
            {trace.destinations.map((d) => (
              <Destination d={d} />
            ))}
          </>
        )}
      </Layout>,
    );
  });
}

function Destination(props: { d: DestinationTrace }) {
  const { d } = props;
  return (
    <section aria-label={`Destination ${d.endpoint}`}>
      <h2>
        <a href={endpointHref(d.endpoint)}>{d.endpoint}</a> <span class={`b ${d.state}`}>{d.state.replace("_", " ")}</span>
      </h2>
      {d.deadLetter === null ? null : (
        <p>{`Dead letter: ${d.deadLetter.reason}, ${d.deadLetter.attempts} attempts, ${d.deadLetter.status}, failed ${utc(d.deadLetter.failed_at)}.`}</p>
      )}
      <AttemptTable attempts={d.attempts} caption={`Attempts on route ${d.route}, oldest first`} withMessage={false} />
    </section>
  );
}

function AttemptTable(props: { attempts: readonly AttemptLogEntry[]; caption: string; withMessage: boolean }) {
  if (props.attempts.length === 0) return <p class="mut">No attempts recorded.</p>;
  return (
    <Scroll label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            {props.withMessage ? <th scope="col">Message</th> : null}
            <th scope="col">Route</th>
            <th scope="col">Mode</th>
            <th scope="col" class="n">
              Attempt
            </th>
            <th scope="col" class="n">
              Status
            </th>
            <th scope="col">Outcome</th>
            <th scope="col" class="n">
              Latency
            </th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {props.attempts.map((a) => (
            <tr>
              <td>{utc(a.at)}</td>
              {props.withMessage ? (
                <td>
                  <a href={`${EVENTS_PATH}?id=${encodeURIComponent(a.messageId)}`}>
                    <code class="id">{a.messageId}</code>
                  </a>
                </td>
              ) : null}
              <td>
                <code>{a.route}</code>
              </td>
              <td>{a.mode}</td>
              <td class="n">{a.attempt}</td>
              <td class="n">{a.status ?? "–"}</td>
              <td>{a.error === null ? a.outcome : `${a.outcome}: ${a.error}`}</td>
              <td class="n">{millis(a.latencyMs)}</td>
              <td>
                {a.excerpt === null ? (
                  <span class="mut">none</span>
                ) : (
                  <details>
                    <summary>{a.excerptEncoding === "base64" ? "binary (base64)" : "view"}</summary>
                    <pre>{a.excerpt}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

function endpointOf(c: ConsoleContext): Endpoint | undefined {
  return c.get("config").endpoints.get(c.req.param("name") ?? "");
}

function missing(c: ConsoleContext, title: string) {
  return page(
    c,
    <Layout title={title} section="endpoint" session={sessionOf(c)}>
      <p>
        <a href={CONSOLE_PATH}>Back to the overview</a>.
      </p>
    </Layout>,
    404,
  );
}
