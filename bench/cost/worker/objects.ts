// The gateway's Durable Object classes with counting storage: each object's SQL cursors (rowsRead /
// rowsWritten, the runtime's own counters) and setAlarm calls (billed as one row written), its
// alarm invocations (billed as requests), and an env whose bindings count too (objects call objects).
import { add, track } from "./tally";
import { countingEnv } from "./bindings";

function countingSql(sql: SqlStorage, className: string): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === "exec")
        return (query: string, ...bindings: unknown[]) => {
          const cursor = target.exec(query, ...bindings);
          track(className, query, cursor);
          return cursor;
        };
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function countingStorage(storage: DurableObjectStorage, className: string): DurableObjectStorage {
  const sql = countingSql(storage.sql, className);
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "sql") return sql;
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      const fn = (value as (...a: unknown[]) => unknown).bind(target);
      if (prop === "setAlarm") return (...args: unknown[]) => (add(`do.set_alarm.${className}`), add(`do_sql.written.${className}|setAlarm()`), fn(...args));
      if (prop === "getAlarm") return (...args: unknown[]) => (add(`do.get_alarm.${className}`), fn(...args));
      if (prop === "get" || prop === "put" || prop === "delete" || prop === "list") return (...args: unknown[]) => (add(`do.kv_uncounted.${className}`), fn(...args));
      return fn;
    },
  });
}

/**
 * The object's own state with a counting `storage` (an own property over the prototype's getter):
 * the runtime only accepts its real DurableObjectState in the base constructor.
 */
function countingState(ctx: DurableObjectState, className: string): DurableObjectState {
  Object.defineProperty(ctx, "storage", { value: countingStorage(ctx.storage, className), configurable: true });
  return ctx;
}

/** Any Durable Object class (`never`: whatever env it takes). */
type ObjectClass = new (ctx: DurableObjectState, env: never) => object;
type Alarm = (info?: AlarmInvocationInfo) => void | Promise<void>;

/** `Base` with counting storage and env, and its alarm counted and timed (the object's own clock). */
export function counted<C extends ObjectClass>(Base: C, className: string): C {
  const Counted = class extends (Base as unknown as new (ctx: DurableObjectState, env: object) => object) {
    constructor(ctx: DurableObjectState, env: object) {
      super(countingState(ctx, className), countingEnv(env));
      add(`do.constructed.${className}`);
    }
  };
  const alarm = (Base.prototype as { alarm?: Alarm }).alarm;
  if (alarm !== undefined) {
    Object.defineProperty(Counted.prototype, "alarm", {
      value: async function (this: object, info?: AlarmInvocationInfo): Promise<void> {
        add(`do.requests.${className}.alarm`);
        const started = Date.now();
        try {
          await alarm.call(this, info);
        } finally {
          add(`do.wall_ms.${className}`, Date.now() - started);
        }
      },
      writable: true,
      configurable: true,
    });
  }
  return Counted as unknown as C;
}
