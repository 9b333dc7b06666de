// Benchmark floors, bundled by `wrangler deploy --dry-run` like the gateway and never deployed:
// POST /       the least a Hono Worker does for a webhook (read the body, answer 202 with JSON);
// POST /send   the same plus one queue send of the body (what a durable async accept must do);
// POST /claim-send  the same plus a dedup claim (one SQLite insert in one of 64 Durable Objects);
// POST /claim-send-complete  the same plus a second call to that object storing the answer (what a
//              claim → send → complete dedup costs: the price of the second round trip);
// POST /put    the body stored in R2 and a reference sent to the queue (a large event's claim check);
// POST /relay  a dedup claim, then the body passed to UPSTREAM_URL and its answer passed back (sync).
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

interface Env {
  QUEUE: Queue<unknown>;
  BUCKET: R2Bucket;
  UPSTREAM_URL: string;
  SHARD: DurableObjectNamespace<FloorShard>;
}

export class FloorShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL)");
  }

  claim(key: string, bodyHash: string): boolean {
    return this.sql.exec("INSERT INTO keys (key, body_hash) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING key", key, bodyHash).toArray().length === 1;
  }

  complete(key: string, answer: string): void {
    this.sql.exec("UPDATE keys SET body_hash = ? WHERE key = ?", answer, key);
  }
}

const app = new Hono<{ Bindings: Env }>();

app.post("/", async (c) => {
  await c.req.arrayBuffer();
  return c.json({ status: "accepted" }, 202);
});

app.post("/send", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  await c.env.QUEUE.send({ v: 1, body }, { contentType: "v8" });
  return c.json({ status: "queued" }, 202);
});

app.post("/claim-send", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const key = c.req.header("X-Idempotency-Key") ?? crypto.randomUUID();
  const shard = c.env.SHARD.get(c.env.SHARD.idFromName(`s${key.charCodeAt(key.length - 1) % 64}`));
  if (!(await shard.claim(key, ""))) return c.json({ status: "duplicate" }, 200);
  await c.env.QUEUE.send({ v: 1, body }, { contentType: "v8" });
  return c.json({ status: "queued" }, 202);
});

app.post("/claim-send-complete", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const key = c.req.header("X-Idempotency-Key") ?? crypto.randomUUID();
  const shard = c.env.SHARD.get(c.env.SHARD.idFromName(`s${key.charCodeAt(key.length - 1) % 64}`));
  if (!(await shard.claim(key, ""))) return c.json({ status: "duplicate" }, 200);
  await c.env.QUEUE.send({ v: 1, body }, { contentType: "v8" });
  c.executionCtx.waitUntil(shard.complete(key, '{"status":202}'));
  return c.json({ status: "queued" }, 202);
});

app.post("/relay", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const key = c.req.header("X-Idempotency-Key") ?? c.req.header("webhook-id") ?? crypto.randomUUID();
  const shard = c.env.SHARD.get(c.env.SHARD.idFromName(`s${key.charCodeAt(key.length - 1) % 64}`));
  if (!(await shard.claim(key, ""))) return c.json({ status: "duplicate" }, 409);
  const res = await fetch(c.env.UPSTREAM_URL, { method: "POST", body, headers: { "Content-Type": "application/json" }, redirect: "manual" });
  return new Response(await res.arrayBuffer(), { status: res.status, headers: { "Content-Type": res.headers.get("Content-Type") ?? "application/json" } });
});

app.post("/put", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const key = `payloads/${crypto.randomUUID()}`;
  await c.env.BUCKET.put(key, body);
  await c.env.QUEUE.send({ v: 1, body: { kind: "r2", key, size: body.byteLength } }, { contentType: "v8" });
  return c.json({ status: "queued" }, 202);
});

export default app;
