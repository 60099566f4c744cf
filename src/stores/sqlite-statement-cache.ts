/**
 * A better-sqlite3 handle that reuses prepared statements by SQL text. Kysely prepares every query
 * it runs; ingestion repeats the same multi-row statements batch after batch, and preparing them
 * dominated ingest time. Kysely serialises queries on its single SQLite connection, so a cached
 * statement is never used by two queries at once.
 *
 * A ROLLBACK with no transaction open is a no-op: SQLite itself rolls a transaction back on some
 * errors (SQLITE_FULL, SQLITE_IOERR), and Kysely's ROLLBACK would then fail with "no transaction
 * is active", hiding the error that mattered ("database or disk is full").
 */
import type BetterSqlite3 from 'better-sqlite3';

export function withStatementCache(db: BetterSqlite3.Database, max = 64): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    if (!db.inTransaction && /^\s*rollback\s*;?\s*$/i.test(sql)) return db.prepare('select 1 where 0');
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // refresh its place in the LRU order
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
