// Dead-letter list page: filters (source, event type, route, endpoint, reason, status), newest first,
// one cursor page at a time; and the bulk replay of the filtered set (post/redirect/get).
import * as z from "../../core/zod";
import type { Hono } from "hono";
import type { Config } from "../../config/load";
import type { DeadLetterSummary, Page } from "../../ports/storage";
import { replayMatching } from "../../delivery/replay";
import { log } from "../../log";
import { decodeCursor, encodeCursor } from "../admin/cursor";
import { DEAD_LETTER_REASONS, DEAD_LETTER_STATUSES, DeadLetterQuerySchema, filterValue, limit } from "../admin/schemas";
import { formOf, sessionOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { clip, duration } from "./format";
import { ConfirmAction, Layout, page, Scroll } from "./layout";
import { CONSOLE_PATH, setFlash, takeFlash } from "./session";
import { recordAudit } from "../admin/audit-log";

/** Rows a page shows at most: 100 rows of long values stay under 50 KB of HTML. */
export const MAX_PAGE_ROWS = 100;
/** The admin API's list query, plus `route` (the rule name) so a route's dead letters can be listed; smaller pages. */
const ListQuerySchema = z.extend(DeadLetterQuerySchema, { route: z.optional(filterValue()), limit: limit(MAX_PAGE_ROWS, 50) });
const FilterSchema = z.pick(ListQuerySchema, { source: true, event_type: true, endpoint: true, reason: true, route: true });
type Filter = z.output<typeof FilterSchema>;

/** Most dead letters one bulk replay hands to delivery (the admin API's maximum). */
export const BULK_REPLAY_LIMIT = 200;
const FILTER_KEYS = ["source", "event_type", "route", "endpoint", "reason"] as const;

/** Query and form values without the empty ones a GET form sends for blank fields. */
function present(values: Record<string, string>, keys?: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== "" && (keys === undefined || keys.includes(k))));
}

export function listHref(filter: Partial<Record<string, string | number>>): string {
  const entries = Object.entries(filter).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "");
  const query = new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
  return `${CONSOLE_PATH}/dlq${query === "" ? "" : `?${query}`}`;
}

export function registerDeadLetterList(app: Hono<ConsoleEnv>): void {
  app.get("/dlq", async (c) => {
    const config = c.get("config");
    const parsed = ListQuerySchema.safeParse(present(c.req.query()));
    const cursor = parsed.success && parsed.data.cursor !== undefined ? decodeCursor(parsed.data.cursor) : null;
    if (!parsed.success || (cursor === null && parsed.data.cursor !== undefined)) {
      const problems = parsed.success ? ["cursor: not a page of this list"] : parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`);
      return listPage(c, config, present(c.req.query(), FILTER_KEYS), { rows: [], next: null }, `Invalid filter: ${problems.join("; ")}`);
    }
    const q = parsed.data;
    const filter: Filter = { source: q.source, event_type: q.event_type, endpoint: q.endpoint, reason: q.reason, route: q.route };
    const result = await c.env.ports.deadLetters.list({ filter, statuses: [q.status], limit: q.limit, after: cursor });
    return listPage(c, config, present(c.req.query(), [...FILTER_KEYS, "status", "limit"]), result, null, q.cursor !== undefined);
  });

  app.post("/dlq/replay", async (c) => {
    const parsed = FilterSchema.safeParse(present(formOf(c), FILTER_KEYS));
    if (!parsed.success) {
      setFlash(c, { kind: "error", text: "Nothing replayed: the filter is invalid." });
      return c.redirect(listHref({}), 303);
    }
    const result = await replayMatching(c.env.ports, parsed.data, BULK_REPLAY_LIMIT, { trigger: "admin" });
    log("info", "bulk_replay", { trace_id: c.get("trace").traceId, replayed: result.replayed, failed: result.failed, via: "console", ...parsed.data });
    await recordAudit(c, { action: "dead_letter.bulk_replay", params: { ...parsed.data, limit: BULK_REPLAY_LIMIT, failed: result.failed }, result: "ok", count: result.replayed });
    const more = result.replayed + result.failed >= BULK_REPLAY_LIMIT ? ` More may match: replay again (at most ${BULK_REPLAY_LIMIT} at a time).` : "";
    const failed = result.failed > 0 ? ` ${result.failed} could not be handed to delivery and stay listed; retry later.` : "";
    setFlash(c, {
      kind: result.failed > 0 ? "error" : "ok",
      text: `Replayed ${result.replayed} dead letter${result.replayed === 1 ? "" : "s"}: queued for delivery.${failed}${more}`,
    });
    return c.redirect(listHref(parsed.data), 303);
  });
}

function listPage(c: ConsoleContext, config: Config, shown: Record<string, string>, result: Page<DeadLetterSummary>, error: string | null, paged = false) {
  const now = c.env.ports.clock.now();
  const flash = error === null ? takeFlash(c) : { kind: "error" as const, text: error };
  const status = shown["status"] ?? "dead";
  const filterOnly = Object.fromEntries(FILTER_KEYS.map((k) => [k, shown[k]]));
  const described = FILTER_KEYS.filter((k) => shown[k] !== undefined)
    .map((k) => `${k.replace("_", " ")} ${shown[k] ?? ""}`)
    .join(", ");
  return page(
    c,
    <Layout title="Dead letters" section="dlq" session={sessionOf(c)} flash={flash}>
      <Filters config={config} shown={shown} />
      {status === "dead" && result.rows.length > 0 ? (
        <div class="actions">
          <ConfirmAction
            session={sessionOf(c)}
            action={`${CONSOLE_PATH}/dlq/replay`}
            fields={filterOnly}
            summary={described === "" ? "Replay all dead letters…" : "Replay all matching…"}
            question={`Replay up to ${BULK_REPLAY_LIMIT} dead letters ${described === "" ? "(no filter: all routes)" : `matching ${described}`}, newest first? Each goes back to async delivery with its own message id.`}
            confirm="Replay them"
          />
        </div>
      ) : null}
      <Scroll label="Dead letters">
        <table class="dl">
          <caption>{`${result.rows.length === 0 ? "No" : result.rows.length} dead letter${result.rows.length === 1 ? "" : "s"} (status ${status})${paged ? ", a later page" : ""}; newest first; age since the last failure`}</caption>
          <thead>
            <tr>
              <th scope="col">Message id</th>
              <th scope="col">Source</th>
              <th scope="col">Event type</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Reason</th>
              <th scope="col" class="n">
                Attempts
              </th>
              <th scope="col" class="n">
                Last status
              </th>
              <th scope="col" class="n">
                Age
              </th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr>
                <th scope="row">
                  <a class="id" href={`${CONSOLE_PATH}/dlq/${encodeURIComponent(r.id)}`}>
                    {r.id}
                  </a>
                </th>
                <td>{clip(r.source, 40)}</td>
                <td>
                  <code>{clip(r.event_type, 60)}</code>
                </td>
                <td>{clip(r.endpoint, 40)}</td>
                <td>{r.reason}</td>
                <td>{r.attempts}</td>
                <td>{r.last_status ?? "–"}</td>
                <td>{duration(now - r.failed_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <nav class="pager" aria-label="Pages">
        {paged ? <a href={listHref({ ...shown, cursor: undefined })}>First page</a> : null}
        {result.next === null ? null : (
          <a href={listHref({ ...shown, cursor: encodeCursor(result.next) })} rel="next">
            Next page
          </a>
        )}
      </nav>
    </Layout>,
    error === null ? 200 : 400,
  );
}

function Filters(props: { config: Config; shown: Record<string, string> }) {
  const { config, shown } = props;
  const text = (name: string, label: string, list?: string) => (
    <div>
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} value={shown[name] ?? ""} list={list} size={16} />
    </div>
  );
  const select = (name: string, label: string, options: readonly string[], any: string | null, fallback = "") => (
    <div>
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name}>
        {any === null ? null : <option value="">{any}</option>}
        {options.map((o) => (
          <option value={o} selected={(shown[name] ?? fallback) === o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form class="filters" method="get" action={`${CONSOLE_PATH}/dlq`} role="search" aria-label="Filter dead letters">
      {text("source", "Source", "dl-sources")}
      {text("event_type", "Event type")}
      {text("route", "Route", "dl-routes")}
      {text("endpoint", "Endpoint", "dl-endpoints")}
      {select("reason", "Reason", DEAD_LETTER_REASONS, "any")}
      {select("status", "Status", DEAD_LETTER_STATUSES, null, "dead")}
      {select("limit", "Per page", ["25", "50", "100"], null, "50")}
      <datalist id="dl-sources">
        {[...config.sources.keys()].map((n) => (
          <option value={n} />
        ))}
      </datalist>
      <datalist id="dl-routes">
        {config.rules.map((r) => (
          <option value={r.name} />
        ))}
      </datalist>
      <datalist id="dl-endpoints">
        {[...config.endpoints.keys()].map((n) => (
          <option value={n} />
        ))}
      </datalist>
      <div>
        <button type="submit">Filter</button>{" "}
        <a class="btn sec" href={`${CONSOLE_PATH}/dlq`}>
          Clear
        </a>
      </div>
    </form>
  );
}
