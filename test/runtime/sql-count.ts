// A Durable Object's SQL with every statement's rows written added up (the runtime's own counter),
// for tests that pin what a storage path costs.

export function countingSql(sql: SqlStorage): { sql: SqlStorage; written: () => number } {
  let written = 0;
  const cursors: Array<SqlStorageCursor<Record<string, SqlStorageValue>>> = [];
  const proxy = new Proxy(sql, {
    get(target, prop) {
      if (prop === "exec")
        return (query: string, ...bindings: SqlStorageValue[]) => {
          const cursor = target.exec(query, ...bindings);
          cursors.push(cursor);
          return cursor;
        };
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    sql: proxy,
    written: () => {
      for (const c of cursors.splice(0)) {
        c.toArray();
        written += c.rowsWritten;
      }
      return written;
    },
  };
}
