// One dead letter: its fields, forwarded headers (credential-like values redacted by the admin API's
// detail) and body (pretty JSON, text, or hex); replay and delete with confirmation (post/redirect/get);
// the raw body as a download.
import type { Hono } from "hono";
import { replayOne } from "../../delivery/replay";
import { deleteDeadLetterById } from "../../delivery/retention";
import { detail } from "../admin/dlq";
import { IdParamsSchema } from "../admin/schemas";
import { sessionOf, type ConsoleContext, type ConsoleEnv } from "./context";
import { listHref } from "./dead-letters";
import { showBody, utc } from "./format";
import { ConfirmAction, Layout, page, Scroll } from "./layout";
import { endpointHref } from "./overview";
import { CONSOLE_PATH, setFlash, takeFlash } from "./session";
import { recordAudit } from "../admin/audit-log";

const detailHref = (id: string) => `${CONSOLE_PATH}/dlq/${encodeURIComponent(id)}`;
type Detail = Awaited<ReturnType<typeof detail>>;

export function registerDeadLetterActions(app: Hono<ConsoleEnv>): void {
  app.get("/dlq/:id", async (c) => {
    const stores = c.env.ports;
    const row = IdParamsSchema.safeParse(c.req.param()).success ? await stores.deadLetters.get(c.req.param("id")) : null;
    if (row === null) return notFound(c);
    return detailPage(c, await detail(stores.payloads, row));
  });

  app.get("/dlq/:id/body", async (c) => {
    const stores = c.env.ports;
    const row = IdParamsSchema.safeParse(c.req.param()).success ? await stores.deadLetters.get(c.req.param("id")) : null;
    if (row === null) return notFound(c);
    const d = await detail(stores.payloads, row);
    if (d.body === null) return notFound(c);
    const data = d.body_encoding === "base64" ? Uint8Array.from(atob(d.body), (ch) => ch.charCodeAt(0)) : d.body;
    return c.body(data, 200, {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${row.id.replace(/[^\w.-]/g, "_")}.body"`,
    });
  });

  app.post("/dlq/:id/replay", async (c) => {
    const id = c.req.param("id");
    const result = await replayOne(c.env.ports, id);
    await recordAudit(c, { action: "dead_letter.replay", target: id, result: result.kind });
    switch (result.kind) {
      case "queued":
        setFlash(c, { kind: "ok", text: `Replayed ${id}: queued for delivery (replay ${result.replayCount}).` });
        return c.redirect(listHref({}), 303);
      case "not_found":
        setFlash(c, { kind: "error", text: `No dead letter ${id}.` });
        return c.redirect(listHref({}), 303);
      case "conflict":
        setFlash(c, { kind: "error", text: `Not replayed: ${result.detail}` });
        return c.redirect(detailHref(id), 303);
      case "failed":
        setFlash(c, { kind: "error", text: "Not replayed: it could not be handed to delivery. Try again shortly." });
        return c.redirect(detailHref(id), 303);
    }
  });

  app.post("/dlq/:id/delete", async (c) => {
    const id = c.req.param("id");
    const result = await deleteDeadLetterById(c.env.ports, id);
    await recordAudit(c, { action: "dead_letter.delete", target: id, result: result.kind });
    if (result.kind === "conflict") {
      setFlash(c, { kind: "error", text: "Not deleted: it is being replayed right now." });
      return c.redirect(detailHref(id), 303);
    }
    setFlash(c, result.kind === "deleted" ? { kind: "ok", text: `Deleted ${id}.` } : { kind: "error", text: `No dead letter ${id}.` });
    return c.redirect(listHref({}), 303);
  });
}

function notFound(c: ConsoleContext) {
  return page(
    c,
    <Layout title="Dead letter not found" section="dlq" session={sessionOf(c)}>
      <p>
        It may have been replayed, deleted or purged. <a href={listHref({})}>Back to the dead letters</a>.
      </p>
    </Layout>,
    404,
  );
}

function detailPage(c: ConsoleContext, d: Detail) {
  const session = sessionOf(c);
  const body = showBody(d.body, d.body_encoding);
  const fields: [string, string | number | null][] = [
    ["Status", d.status],
    ["Reason", d.reason],
    ["Attempts", d.attempts],
    ["Last status", d.last_status],
    ["Last error", d.last_error],
    ["Source", d.source],
    ["Event type", d.event_type],
    ["Route", d.route],
    ["Trace id", d.trace_id],
    ["Idempotency key", d.idempotency_key],
    ["Received", utc(d.created_at)],
    ["Failed", utc(d.failed_at)],
    ["Replays", d.replay_count],
    ["Last replayed", utc(d.replayed_at)],
    ["Ordering key", d.ordering_key],
    ["Sequence", d.sequence],
    ["Content type", d.content_type],
    ["Body size", `${d.body_size} bytes`],
  ];
  const headers = Object.entries(d.headers);
  return page(
    c,
    <Layout title={`Dead letter ${d.id}`} section="dlq" session={session} flash={takeFlash(c)}>
      <p>
        <a href={listHref({})}>← All dead letters</a>
      </p>
      <div class="actions">
        {d.status === "dead" && d.reason !== "malformed" ? (
          <ConfirmAction
            session={session}
            action={`${detailHref(d.id)}/replay`}
            summary="Replay…"
            question={`Deliver ${d.id} again to ${d.endpoint} through the async path, with the same message id and attempts from 1?`}
            confirm="Replay it"
          />
        ) : null}
        {d.status === "replaying" ? null : (
          <ConfirmAction
            session={session}
            action={`${detailHref(d.id)}/delete`}
            summary="Delete…"
            danger
            question={`Delete ${d.id} and its stored body for good? This cannot be undone.`}
            confirm="Delete it"
          />
        )}
        {d.body === null ? null : (
          <a class="btn sec" href={`${detailHref(d.id)}/body`} download>
            Download body
          </a>
        )}
      </div>
      <h2>Summary</h2>
      <dl class="kv">
        <dt>Destination</dt>
        <dd>
          <a href={endpointHref(d.endpoint)}>{d.endpoint}</a>
        </dd>
        <dt>Message</dt>
        <dd>
          <code>{d.message_id}</code>
          {d.id === d.message_id ? null : <span class="mut"> (one of its destinations' items)</span>}
        </dd>
        {fields.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v ?? "–"}</dd>
          </>
        ))}
      </dl>
      <h2>Headers</h2>
      {headers.length === 0 ? (
        <p class="mut">No forwarded headers.</p>
      ) : (
        <Scroll label="Headers">
          <table>
            <caption>Headers forwarded with the event; credential-like values are redacted</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {headers.map(([name, value]) => (
                <tr>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>
                    <code>{value.slice(0, 500)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <h2>Body</h2>
      <Body body={body} />
    </Layout>,
  );
}

function Body(props: { body: ReturnType<typeof showBody> }) {
  const b = props.body;
  if (b.kind === "missing") return <p class="mut">The stored body is missing (its claim-check object is gone).</p>;
  const what = { json: "JSON, pretty-printed", text: "Text", hex: "Binary, as a hex dump" }[b.kind];
  return (
    <>
      <p class="mut">
        {what}
        {b.omitted > 0 ? ` — cut: ${b.omitted} more ${b.kind === "hex" ? "bytes" : "characters"} not shown; download the body for all of it` : ""}.
      </p>
      <pre tabindex={0} aria-label="Body">
        <code>{b.text}</code>
      </pre>
    </>
  );
}
