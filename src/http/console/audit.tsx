// The console's audit log page: who replayed, deleted or reset what, newest first, filtered by
// actor and action, one page of 50 at a time (the same store and order as GET /admin/audit).
import type { Hono } from "hono";
import * as z from "../../core/zod";
import { decodeCursor, encodeCursor } from "../admin/cursor";
import { sessionOf, type ConsoleEnv } from "./context";
import { clip, utc } from "./format";
import { Layout, page, Scroll } from "./layout";
import { CONSOLE_PATH } from "./session";

const QuerySchema = z.object({
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  action: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});

const href = (q: Record<string, string | undefined>) => {
  const query = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")).toString();
  return `${CONSOLE_PATH}/audit${query === "" ? "" : `?${query}`}`;
};

export function registerAuditPage(app: Hono<ConsoleEnv>): void {
  app.get("/audit", async (c) => {
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ""));
    const parsed = QuerySchema.safeParse(raw);
    const q = parsed.success ? parsed.data : {};
    const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor);
    const result = await c.env.ports.audit.list({ actor: q.actor, action: q.action, limit: 50, after: cursor });
    return page(
      c,
      <Layout title="Audit log" section="audit" session={sessionOf(c)} flash={parsed.success ? null : { kind: "error", text: "Invalid filter; showing everything." }}>
        <form class="filters" method="get" action={`${CONSOLE_PATH}/audit`} role="search" aria-label="Filter the audit log">
          <p>
            <label for="actor">Actor</label>
            <input id="actor" name="actor" value={q.actor ?? ""} size={28} />
          </p>
          <p>
            <label for="action">Action</label>
            <input id="action" name="action" value={q.action ?? ""} size={24} placeholder="dead_letter.replay" />
          </p>
          <p>
            <button type="submit">Filter</button>
          </p>
        </form>
        <Scroll label="Audit log">
          <table>
            <caption>{`${result.rows.length === 0 ? "No" : result.rows.length} action${result.rows.length === 1 ? "" : "s"}, newest first`}</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Result</th>
                <th scope="col" class="n">
                  Count
                </th>
                <th scope="col">Parameters</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((e) => (
                <tr>
                  <td>{utc(e.at)}</td>
                  <th scope="row">{e.actor}</th>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td class="id">{e.target ?? "—"}</td>
                  <td>{e.result}</td>
                  <td class="n">{e.count ?? "—"}</td>
                  <td>
                    <code>{e.params === "{}" ? "—" : clip(e.params, 200)}</code>
                  </td>
                  <td class="mut">{`${e.channel}, ${e.actor_via}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
        {result.next === null ? null : (
          <nav class="pager" aria-label="Pages">
            <a href={href({ actor: q.actor, action: q.action, cursor: encodeCursor(result.next) })} rel="next">
              Older actions
            </a>
          </nav>
        )}
      </Layout>,
    );
  });
}
