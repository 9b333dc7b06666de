// Counting stand-ins for the gateway's bindings: every billable call is counted (Queue writes in 64 KB
// chunks, D1 rows from the result's own meta, R2 operations by class, DO stub calls with their wall
// time, Analytics Engine points), then passed to the real binding. Production code is untouched.
import { add, approxBytes, r2Deleted, r2Stored } from "./tally";

/** Queues: "an operation is counted for each 64 KB" (KB = 1,000 bytes), plus ~100 bytes of metadata. */
export function queueChunks(body: unknown): number {
  return Math.max(1, Math.ceil((approxBytes(body) + 100) / 64_000));
}

type Fn = (...args: unknown[]) => unknown;

/** `target[prop]` as a function called on `target` (Reflect.apply: on an RPC stub, `.bind` would be a remote call). */
function method(target: object, prop: PropertyKey): Fn | undefined {
  const value: unknown = Reflect.get(target, prop);
  return typeof value === "function" ? (...args: unknown[]) => Reflect.apply(value as Fn, target, args) : undefined;
}

function countingQueue(queue: Queue<unknown>, name: string): Queue<unknown> {
  return {
    async send(body, options) {
      add(`queue.write_ops.${name}`, queueChunks(body));
      add("queue.messages_sent");
      add("queue.send_calls");
      return queue.send(body, options);
    },
    async sendBatch(messages, options) {
      for (const m of messages) add(`queue.write_ops.${name}`, queueChunks(m.body));
      add("queue.messages_sent", [...messages].length);
      add("queue.send_calls");
      return queue.sendBatch(messages, options);
    },
  } as Queue<unknown>;
}

function countMeta(result: D1Result): D1Result {
  add("d1.queries");
  add("d1.rows_read", result.meta.rows_read ?? 0);
  add("d1.rows_written", result.meta.rows_written ?? 0);
  return result;
}

const inner = new WeakMap<object, D1PreparedStatement>();

function countingStatement(statement: D1PreparedStatement): D1PreparedStatement {
  const wrapped = {
    bind: (...values: unknown[]) => countingStatement(statement.bind(...values)),
    run: async () => countMeta(await statement.run()),
    all: async () => countMeta(await statement.all()),
    // first() returns no meta: read all and take the first row instead (same rows scanned for a LIMIT 1 query).
    first: async (column?: string) => {
      const row = countMeta(await statement.all()).results[0] as Record<string, unknown> | undefined;
      if (row === undefined) return null;
      return column === undefined ? row : (row[column] ?? null);
    },
    raw: async (options?: { columnNames?: boolean }) => {
      add("d1.uncounted_raw");
      return statement.raw(options as { columnNames: true });
    },
  };
  inner.set(wrapped, statement);
  return wrapped as unknown as D1PreparedStatement;
}

function countingD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => countingStatement(target.prepare(sql));
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((s) => inner.get(s) ?? s));
          for (const r of results) countMeta(r);
          return results;
        };
      if (prop === "exec") add("d1.uncounted_exec");
      return method(target, prop) ?? Reflect.get(target, prop);
    },
  });
}

/** R2: Class A = PutObject, ListObjects, multipart; Class B = GetObject, HeadObject; DeleteObject is free. */
function countingR2(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const fn = method(target, prop);
      if (fn === undefined) return Reflect.get(target, prop);
      return async (...args: unknown[]) => {
        if (prop === "put") {
          add("r2.class_a");
          const key = String(args[0]);
          const body = args[1];
          r2Stored(key, ArrayBuffer.isView(body) || body instanceof ArrayBuffer ? body.byteLength : approxBytes(body));
        } else if (prop === "list" || prop === "createMultipartUpload") add("r2.class_a");
        else if (prop === "get" || prop === "head") add("r2.class_b");
        else if (prop === "delete") {
          const keys = Array.isArray(args[0]) ? (args[0] as unknown[]) : [args[0]];
          add("r2.deletes", keys.length);
          for (const k of keys) r2Deleted(String(k));
        } else add(`r2.other.${String(prop)}`);
        return fn(...args);
      };
    },
  });
}

/** A stub whose method calls are each one billed DO request (one RPC session), timed at the caller. */
function countingStub(stub: object, className: string): object {
  return new Proxy(stub, {
    get(target, prop) {
      if (prop === "then" || typeof prop === "symbol") return Reflect.get(target, prop);
      const fn = method(target, prop);
      if (fn === undefined) return Reflect.get(target, prop);
      return async (...args: unknown[]) => {
        add(`do.requests.${className}.${prop}`);
        const started = Date.now();
        try {
          return await fn(...args);
        } finally {
          add(`do.wall_ms.${className}`, Date.now() - started);
        }
      };
    },
  });
}

function countingNamespace(ns: DurableObjectNamespace, className: string): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const fn = method(target, prop);
      if (fn === undefined) return Reflect.get(target, prop);
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => countingStub(fn(...args) as object, className);
      return fn;
    },
  });
}

function countingAnalytics(dataset: AnalyticsEngineDataset | undefined): AnalyticsEngineDataset {
  return {
    writeDataPoint(point) {
      add("ae.points");
      dataset?.writeDataPoint(point);
    },
  };
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === "object";
}

/** The DO class each namespace binding serves (wrangler.toml [[durable_objects.bindings]]). */
const OBJECT_CLASSES: Record<string, string> = {
  IDEMPOTENCY: "IdempotencyShard",
  ENDPOINT_GUARD: "EndpointGuard",
  ORDERING: "OrderedStream",
  RATE_LIMITER: "SourceRateLimiter",
};

const wrappedEnvs = new WeakMap<object, object>();

/** The same env with every billable binding replaced by its counting stand-in (memoised per env). */
export function countingEnv<E extends object>(env: E): E {
  const cached = wrappedEnvs.get(env);
  if (cached !== undefined) return cached as E;
  const out: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name, value] of Object.entries(out)) {
    if (!isObject(value)) continue;
    if ("idFromName" in value) out[name] = countingNamespace(value as DurableObjectNamespace, OBJECT_CLASSES[name] ?? name);
    else if ("sendBatch" in value) out[name] = countingQueue(value as Queue<unknown>, name);
    else if ("prepare" in value && "batch" in value) out[name] = countingD1(value as D1Database);
    else if ("createMultipartUpload" in value) out[name] = countingR2(value as R2Bucket);
  }
  // Local workerd may bind no Analytics Engine dataset: count the points the gateway would write.
  out["METRICS"] = countingAnalytics(isObject(out["METRICS"]) ? (out["METRICS"] as AnalyticsEngineDataset) : undefined);
  wrappedEnvs.set(env, out);
  return out as E;
}
