// `npm run admin -- <command>`: the operator's CLI over the admin API of a local or deployed gateway
// (HOOKGATE_URL, HOOKGATE_ADMIN_TOKEN; locally the token falls back to .dev.vars). Tables, or --json.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import type * as z from "zod";
import type {
  AttemptPageSchema,
  AuditPageSchema,
  BulkReplayResultSchema,
  DeadLetterDetailSchema,
  DeadLetterPageSchema,
  EffectiveConfigSchema,
  EndpointDetailSchema,
  EndpointResetSchema,
  EventSchema,
  FallbackPageSchema,
  ReplayQueuedSchema,
  StatsResponseSchema,
} from "../src/http/admin/docs/schemas";
import { readDevVars } from "./lib/dev-vars";

const USAGE = `usage: npm run admin -- <command> [options]

  routes                         effective routes, endpoints and breakers
  stats                          last hour per endpoint and route
  endpoint <name>                one endpoint: breaker, in-flight, latency, transitions
  reset <name>                   close an endpoint's circuit breaker
  pause <name> [--reason R]      pause an endpoint: nothing is sent to it; async events wait
  resume <name>                  lift a pause or a quarantine
  attempts <name> [--limit N] [--cursor C]   the endpoint's recent attempts, newest first
  event <message_id>             what is known of one event, per destination
  fallbacks [filters]            sync calls answered by the async fallback
  dlq list [filters] [--status dead|replaying|replayed] [--limit N] [--cursor C] [--all]
  dlq show <id>                  one dead letter with headers and body
  dlq replay <id>                replay one dead letter
  dlq replay [filters] [--limit N] | --all    bulk replay (a filter or --all is required)
  dlq purge <id> [<id>...]       delete dead letters
  audit [--actor A] [--action X] [--since ISO] [--limit N] [--cursor C]   who changed what, newest first
  token-hash <token>             the token_sha256 of a token for ADMIN_TOKENS (computed locally)

  filters: --source S --event-type T --endpoint E --reason R
  options: --json (raw JSON)    env: HOOKGATE_URL (default http://127.0.0.1:8787), HOOKGATE_ADMIN_TOKEN
  (ADMIN_TOKEN or a scoped ADMIN_TOKENS token; a read token may run every read command)`;

class ApiError extends Error {}

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
    source: { type: "string" },
    "event-type": { type: "string" },
    endpoint: { type: "string" },
    reason: { type: "string" },
    status: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    actor: { type: "string" },
    action: { type: "string" },
    since: { type: "string" },
  },
});

const base = (process.env["HOOKGATE_URL"] ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const token = process.env["HOOKGATE_ADMIN_TOKEN"] ?? readDevVars()["ADMIN_TOKEN"];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (token === undefined || token === "") throw new ApiError("HOOKGATE_ADMIN_TOKEN is not set (nor ADMIN_TOKEN in .dev.vars)");
  const res = await fetch(`${base}/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const p = JSON.parse(text) as { title?: string; detail?: string };
      message = `${res.status} ${p.title ?? ""}: ${p.detail ?? ""}`;
    } catch {
      // not a problem document
    }
    throw new ApiError(message);
  }
  return (text === "" ? null : JSON.parse(text)) as T;
}

function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...(cells.length === 0 ? ["(none)"] : cells.map(line))].join("\n");
}

const when = (iso: string | null) => (iso === null ? null : iso.replace("T", " ").replace(/\.\d+Z$/, "Z"));
const pct = (rate: number | null) => (rate === null ? null : `${(rate * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? null : `${v} ms`);

function out(data: unknown, render: () => string): void {
  console.log(opts.json ? JSON.stringify(data, null, 2) : render());
}

function filterQuery(extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  const pairs = { source: opts.source, event_type: opts["event-type"], endpoint: opts.endpoint, reason: opts.reason, ...extra };
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

class UsageError extends Error {}

async function dlq(sub: string | undefined, args: string[]): Promise<void> {
  switch (sub) {
    case "list": {
      const items: z.output<typeof DeadLetterPageSchema>["items"] = [];
      let cursor = opts.cursor;
      let next: string | null = null;
      do {
        const page: z.output<typeof DeadLetterPageSchema> = await api("GET", `/dlq${filterQuery({ status: opts.status, limit: opts.limit, cursor })}`);
        items.push(...page.items);
        next = page.next_cursor;
        cursor = next ?? undefined;
      } while (opts.all && next !== null);
      out(
        { items, next_cursor: next },
        () =>
          `${table(
            ["id", "failed_at", "source", "event_type", "route", "endpoint", "reason", "attempts", "last", "replays"],
            items.map((d) => [d.id, when(d.failed_at), d.source, d.event_type, d.route, d.endpoint, d.reason, d.attempts, d.last_status ?? d.last_error, d.replay_count]),
          )}\n${items.length} dead letter(s)${next === null ? "" : `; more with --cursor ${next}`}`,
      );
      return;
    }
    case "show": {
      const d: z.output<typeof DeadLetterDetailSchema> = await api("GET", `/dlq/${encodeURIComponent(need(args[0], "<id>"))}`);
      out(d, () => {
        const { headers, body, body_encoding: encoding, ...fields } = d;
        const lines = Object.entries(fields).map(([k, v]) => `${k.padEnd(16)} ${v === null ? "-" : String(v)}`);
        lines.push("headers", ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`));
        lines.push(`body (${encoding ?? "missing"}, ${d.body_size} bytes)`, body ?? "-");
        return lines.join("\n");
      });
      return;
    }
    case "replay": {
      if (args[0] !== undefined) {
        const r: z.output<typeof ReplayQueuedSchema> = await api("POST", `/dlq/${encodeURIComponent(args[0])}/replay`);
        out(r, () => `${r.id}: ${r.status} (replay #${r.replay_count})`);
        return;
      }
      const filter = { source: opts.source, event_type: opts["event-type"], endpoint: opts.endpoint, reason: opts.reason };
      if (Object.values(filter).every((v) => v === undefined) && !opts.all) throw new UsageError("bulk replay needs a filter, or --all");
      const r: z.output<typeof BulkReplayResultSchema> = await api("POST", "/dlq/replay", { ...filter, ...(opts.limit === undefined ? {} : { limit: Number(opts.limit) }) });
      out(r, () => `replayed ${r.replayed} dead letter(s)`);
      return;
    }
    case "purge": {
      if (args.length === 0) throw new UsageError("missing <id>");
      for (const id of args) await api("DELETE", `/dlq/${encodeURIComponent(id)}`);
      out({ deleted: args }, () => `deleted ${args.length} dead letter(s)`);
      return;
    }
    default:
      throw new UsageError(`unknown dlq command ${sub ?? "(none)"}`);
  }
}

async function main(): Promise<void> {
  const [command, sub, ...rest] = positionals;
  if (opts.help || command === undefined) throw new UsageError("");
  switch (command) {
    case "routes": {
      const c: z.output<typeof EffectiveConfigSchema> = await api("GET", "/routes");
      out(c, () =>
        [
          table(
            ["endpoint", "url", "breaker", "secrets"],
            Object.entries(c.endpoints).map(([name, e]) => [
              name,
              e.url,
              e.breaker?.state ?? "unknown",
              e.signing_secrets.map((s) => `${s.name}${s.present ? "" : " (missing)"}`).join(", "),
            ]),
          ),
          "",
          table(
            ["route", "source", "mode", "endpoint", "attempts", "fallback", "ordering", "auto_replay"],
            c.routing_rules.map((r) => [
              r.name,
              r.source ?? "*",
              r.mode,
              r.endpoint,
              r.max_attempts,
              r.mode === "sync" ? r.fallback : null,
              r.ordering_key,
              r.auto_replay ? "yes" : null,
            ]),
          ),
        ].join("\n"),
      );
      return;
    }
    case "stats": {
      const s: z.output<typeof StatsResponseSchema> = await api("GET", "/stats");
      const head = ["delivered", "failed", "dead", "success", "p50", "p95", "dlq"];
      out(s, () =>
        [
          table(
            ["endpoint", "breaker", ...head],
            s.endpoints.map((e) => [e.endpoint, e.breaker, e.delivered, e.failed, e.dead_lettered, pct(e.success_rate), ms(e.p50_ms), ms(e.p95_ms), e.dlq_size]),
          ),
          "",
          table(
            ["route", "endpoint", ...head],
            s.routes.map((r) => [r.route, r.endpoint, r.delivered, r.failed, r.dead_lettered, pct(r.success_rate), ms(r.p50_ms), ms(r.p95_ms), r.dlq_size]),
          ),
        ].join("\n"),
      );
      return;
    }
    case "endpoint": {
      const e: z.output<typeof EndpointDetailSchema> = await api("GET", `/endpoints/${encodeURIComponent(need(sub, "<name>"))}`);
      out(e, () =>
        [
          `${e.name}  ${e.url}`,
          `breaker ${e.breaker.state}${e.breaker.opened_at === null ? "" : ` since ${when(e.breaker.opened_at)}`}${e.breaker.retry_in_ms === null ? "" : `, retry in ${e.breaker.retry_in_ms} ms`}; in flight ${e.inflight}`,
          `last hour: ${e.last_hour.delivered} delivered, ${e.last_hour.failed} failed, ${e.last_hour.dead_lettered} dead-lettered, success ${pct(e.last_hour.success_rate) ?? "-"}, p50 ${ms(e.last_hour.p50_ms) ?? "-"}, p95 ${ms(e.last_hour.p95_ms) ?? "-"}`,
          "",
          table(
            ["at", "from", "to"],
            e.transitions.slice(0, 10).map((t) => [when(t.at), t.from, t.to]),
          ),
        ].join("\n"),
      );
      return;
    }
    case "reset": {
      const r: z.output<typeof EndpointResetSchema> = await api("POST", `/endpoints/${encodeURIComponent(need(sub, "<name>"))}/reset`);
      out(r, () => `${r.name}: breaker ${r.breaker.state}`);
      return;
    }
    case "pause":
    case "resume": {
      const name = encodeURIComponent(need(sub, "<name>"));
      const body = command === "pause" && opts.reason !== undefined ? { reason: opts.reason } : undefined;
      const e: z.output<typeof EndpointDetailSchema> = await api("POST", `/endpoints/${name}/${command}`, body);
      out(e, () => `${e.name}: ${e.state}${e.paused_at === null ? "" : ` since ${when(e.paused_at)}`}${e.pause_reason === null ? "" : ` (${e.pause_reason})`}`);
      return;
    }
    case "attempts": {
      const q = new URLSearchParams();
      if (opts.limit !== undefined) q.set("limit", opts.limit);
      if (opts.cursor !== undefined) q.set("cursor", opts.cursor);
      const page: z.output<typeof AttemptPageSchema> = await api("GET", `/endpoints/${encodeURIComponent(need(sub, "<name>"))}/attempts${q.size === 0 ? "" : `?${q}`}`);
      out(
        page,
        () =>
          `${table(
            ["at", "message_id", "route", "mode", "attempt", "status", "outcome", "latency", "error"],
            page.items.map((a) => [when(a.at), a.message_id, a.route, a.mode, a.attempt, a.status, a.outcome, ms(a.latency_ms), a.error]),
          )}${page.next_cursor === null ? "" : `\nmore with --cursor ${page.next_cursor}`}`,
      );
      return;
    }
    case "event": {
      const ev: z.output<typeof EventSchema> = await api("GET", `/events/${encodeURIComponent(need(sub, "<message_id>"))}`);
      out(ev, () =>
        [
          `${ev.message_id}  source ${ev.source ?? "-"}  type ${ev.event_type ?? "-"}  route ${ev.route ?? "-"}`,
          ...ev.destinations.map((d) =>
            [`${d.endpoint} (${d.route}): ${d.state}`, ...d.attempts.map((a) => `  #${a.attempt} ${when(a.at)} ${a.status ?? "-"} ${a.outcome} ${a.latency_ms} ms`)].join("\n"),
          ),
        ].join("\n"),
      );
      return;
    }
    case "fallbacks": {
      const page: z.output<typeof FallbackPageSchema> = await api("GET", `/fallbacks${filterQuery({ limit: opts.limit, cursor: opts.cursor })}`);
      out(
        page,
        () =>
          `${table(
            ["at", "id", "source", "event_type", "endpoint", "reason"],
            page.items.map((f) => [when(f.at), f.id, f.source, f.event_type, f.endpoint, f.reason]),
          )}${page.next_cursor === null ? "" : `\nmore with --cursor ${page.next_cursor}`}`,
      );
      return;
    }
    case "audit": {
      const q = new URLSearchParams(
        Object.entries({ actor: opts.actor, action: opts.action, since: opts.since, limit: opts.limit, cursor: opts.cursor }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      const page: z.output<typeof AuditPageSchema> = await api("GET", `/audit${q.size === 0 ? "" : `?${q.toString()}`}`);
      out(
        page,
        () =>
          `${table(
            ["at", "actor", "action", "target", "result", "count", "params"],
            page.items.map((e) => [when(e.at), e.actor, e.action, e.target, e.result, e.count, JSON.stringify(e.params)]),
          )}${page.next_cursor === null ? "" : `\nmore with --cursor ${page.next_cursor}`}`,
      );
      return;
    }
    case "token-hash": {
      const digest = createHash("sha256").update(need(sub, "<token>")).digest("hex");
      console.log(digest);
      return;
    }
    case "dlq":
      return dlq(sub, rest);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    if (error.message !== "") console.error(`admin: ${error.message}\n`);
    console.error(USAGE);
    process.exit(2);
  }
  console.error(`admin: ${error instanceof ApiError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
});
