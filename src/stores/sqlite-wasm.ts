/**
 * SQLite without a native module: sql.js (SQLite compiled to WebAssembly) behind the interface
 * Kysely's SqliteDialect drives, for where better-sqlite3 cannot be loaded — the GitHub Action's
 * bundle runs on whatever Node the runner has, with no node_modules. The database lives in memory
 * and is written back to its file (to a temporary file, then renamed: never half-written) after
 * every committed write, so what a command acknowledged is on disk. One process at a time: a lock
 * file next to the database refuses a second writer (carry the file between CI runs under a
 * `concurrency:` group; use PostgreSQL for many instances).
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { RefitError } from '../core/errors.js';

interface SqlJsStatement {
  bind(values: unknown[]): boolean;
  step(): boolean;
  getAsObject(): Record<string, unknown>;
  getColumnNames(): string[];
  reset(): void;
  free(): boolean;
}

interface SqlJsDatabase {
  prepare(sql: string): SqlJsStatement;
  exec(sql: string): { columns: string[]; values: unknown[][] }[];
  getRowsModified(): number;
  export(): Uint8Array;
  close(): void;
}

type SqlJsStatic = { Database: new (data?: Uint8Array) => SqlJsDatabase };

/** Values as sql.js binds them: no booleans, bigints or undefined. */
function bindable(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  return v === undefined ? null : v;
}

const READS = /^\s*(select|pragma\s+[\w.]+\s*$)/i;

export async function openWasmSqlite(path: string): Promise<SqliteDatabase> {
  const { default: init } = (await import('sql.js')) as unknown as { default: () => Promise<SqlJsStatic> };
  const SQL = await init();
  const memory = path === ':memory:';
  const lock = memory ? null : takeLock(path);
  try {
    if (!memory) refuseUncheckpointedWal(path);
  } catch (err) {
    if (lock) rmSync(lock, { force: true });
    throw err;
  }
  const db = new SQL.Database(!memory && existsSync(path) ? readFileSync(path) : undefined);
  let inTransaction = false;
  let dirty = false;
  const persist = () => {
    if (memory || !dirty) return;
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, db.export());
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true }); // a full disk: the file on disk stays the last whole copy
      throw err;
    }
    dirty = false;
  };
  const after = (sql: string) => {
    const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
    if (word === 'begin' || word === 'savepoint') inTransaction = inTransaction || word === 'begin';
    else if (word === 'commit' || word === 'end') inTransaction = false;
    else if (word === 'rollback' && !/\bto\b/i.test(sql)) {
      inTransaction = false;
      dirty = false;
    } else if (!READS.test(sql)) dirty = true;
    if (!inTransaction) persist();
  };
  const prepare = (sql: string): SqliteStatement => {
    const rows = (parameters: readonly unknown[]) => {
      const st = db.prepare(sql);
      try {
        if (parameters.length) st.bind(parameters.map(bindable));
        const out: unknown[] = [];
        while (st.step()) out.push(st.getAsObject());
        return out;
      } finally {
        st.free();
        after(sql);
      }
    };
    const probe = db.prepare(sql);
    const reader = probe.getColumnNames().length > 0;
    probe.free();
    return {
      reader,
      all: rows,
      run(parameters) {
        rows(parameters);
        const changes = db.getRowsModified();
        const id = db.exec('select last_insert_rowid()')[0]?.values[0]?.[0];
        return { changes, lastInsertRowid: Number(id ?? 0) };
      },
      iterate: (parameters) => rows(parameters)[Symbol.iterator]() as IterableIterator<unknown>,
    };
  };
  return {
    prepare,
    close() {
      try {
        persist();
      } finally {
        db.close();
        if (lock) rmSync(lock, { force: true });
      }
    },
  };
}

/**
 * sql.js reads the main file only. Writes still in `PATH-wal` (better-sqlite3 has the file open,
 * or crashed before checkpointing) would be missed, then overwritten: refuse instead.
 */
function refuseUncheckpointedWal(path: string): void {
  const wal = `${path}-wal`;
  if (!existsSync(wal) || statSync(wal).size === 0) return;
  throw new RefitError(
    'STORE',
    `${wal} holds writes not yet in ${path} (a refit process with better-sqlite3 has it open, or stopped ` +
      'without closing it): stop that process, or open the store once with better-sqlite3 (e.g. `refit status`) ' +
      'to fold them in',
  );
}

/** `PATH.lock` holds `host:pid` while a process has the database open; a dead holder's lock is taken over. */
function takeLock(path: string): string {
  const lock = `${path}.lock`;
  const me = `${hostname()}:${process.pid}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readFileSync(lock, 'utf8');
      if (holderAlive(holder)) {
        throw new RefitError(
          'STORE',
          `${path} is open in another refit process (${holder}); without better-sqlite3 only one process may ` +
            'use an SQLite file: wait for it, or use PostgreSQL for several at once',
        );
      }
      rmSync(lock, { force: true });
    }
  }
  throw new RefitError('STORE', `could not lock ${path}: remove ${lock} if no refit process is running`);
}

function holderAlive(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !pid) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
