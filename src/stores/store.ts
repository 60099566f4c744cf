/**
 * Opens the store from its URL: `sqlite:PATH` (default `./.refit/refit.db`, `sqlite::memory:` for
 * tests) or `postgres://...`. Both speak through one Kysely query layer; numbered migrations are
 * applied on open (PostgreSQL serialises concurrent migrators with an advisory lock).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, type Migration, type SqliteDatabase, type Transaction } from 'kysely';
import { RefitError } from '../core/errors.js';
import { redact } from '../config/secrets.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { TransactionalSqliteDialect } from './sqlite-dialect.js';
import { describeFree, DiskFullError, isDiskFull } from '../core/disk-full.js';
import * as m000001 from './migrations/000001_core.js';
import * as m000002 from './migrations/000002_datasets.js';
import * as m000003 from './migrations/000003_preparations.js';
import * as m000004 from './migrations/000004_registry.js';
import * as m000005 from './migrations/000005_training.js';
import * as m000006 from './migrations/000006_run_engine.js';
import * as m000007 from './migrations/000007_notify_serving.js';
import * as m000008 from './migrations/000008_step_position.js';
import * as m000009 from './migrations/000009_approvals.js';
import * as m000010 from './migrations/000010_monitor_verdicts.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The open store. Its `db` is the raw Kysely handle: only modules of src/stores use it (every
 * other layer calls the functions they export), so one query layer serves both dialects.
 */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The URL with any password masked, for messages. */
  displayUrl: string;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '000001_core': m000001,
  '000002_datasets': m000002,
  '000003_preparations': m000003,
  '000004_registry': m000004,
  '000005_training': m000005,
  '000006_run_engine': m000006,
  '000007_notify_serving': m000007,
  '000008_step_position': m000008,
  '000009_approvals': m000009,
  '000010_monitor_verdicts': m000010,
};

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export async function openStore(url: string, options: { migrate?: boolean } = {}): Promise<Store> {
  const displayUrl = redact(url, []);
  let db: Kysely<Database>;
  let dialect: Dialect;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length) || './.refit/refit.db';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    dialect = 'sqlite';
    db = new Kysely<Database>({
      dialect: new TransactionalSqliteDialect({
        database: () => openSqlite(path),
      }),
    });
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    // Loaded only for PostgreSQL URLs: an SQLite process never pays for the driver.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: url,
      max: 8,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID || oid === NUMERIC_OID
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    pool.on('error', () => {
      /* idle client errors surface on the next query */
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    throw new RefitError(
      'STORE',
      `unsupported store URL "${displayUrl}": use sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB`,
    );
  }
  const store: Store = { db, dialect, displayUrl, close: () => db.destroy() };
  if (options.migrate !== false) {
    try {
      await migrate(store);
    } catch (err) {
      await db.destroy().catch(() => {});
      const msg = redact(err instanceof Error ? err.message : String(err), []);
      if (isDiskFull(err) && url.startsWith('sqlite:')) {
        const free = describeFree(url.slice('sqlite:'.length));
        const fix = 'free space there or point `store:` at a larger disk';
        throw new DiskFullError(`cannot open the store at ${displayUrl}: ${msg}; ${free} on its disk: ${fix}`, {
          cause: err,
        });
      }
      throw new RefitError('STORE', `cannot open the store at ${displayUrl}: ${msg}`, { cause: err });
    }
  }
  return store;
}

/**
 * better-sqlite3 (WAL, many processes) where it loads; sql.js otherwise, or with
 * REFIT_SQLITE=wasm (the GitHub Action's bundle, which carries no native module).
 */
async function openSqlite(path: string): Promise<SqliteDatabase> {
  if (process.env.REFIT_SQLITE !== 'wasm') {
    const native = await import('better-sqlite3').catch(() => null);
    if (native) {
      const sqlite = new native.default(path);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 30000');
      sqlite.pragma('synchronous = NORMAL');
      return withStatementCache(sqlite);
    }
  }
  const { openWasmSqlite } = await import('./sqlite-wasm.js');
  return openWasmSqlite(path);
}

export async function migrate(store: Store): Promise<void> {
  // Two processes opening a fresh SQLite file at once can race on the migration table; the loser
  // retries and then finds the migrations applied. PostgreSQL serialises with an advisory lock.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(store);
    } catch (err) {
      if (store.dialect !== 'sqlite' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function migrateOnce(store: Store): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'refit_migrations',
    migrationLockTableName: 'refit_migrations_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Runs `fn` in one transaction; the store it receives writes inside it. */
export async function inTransaction<T>(store: Store, fn: (tx: Store) => Promise<T>): Promise<T> {
  return store.db.transaction().execute((tx: Transaction<Database>) => fn({ ...store, db: tx }));
}

/** One trivial query: the store answers (the health check). */
export async function pingStore(store: Store): Promise<void> {
  await store.db.selectFrom('locks').select('name').limit(1).execute();
}
