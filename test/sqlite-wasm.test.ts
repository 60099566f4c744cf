/**
 * SQLite without the native module (REFIT_SQLITE=wasm, what the Action's bundle uses): the loop
 * runs on sql.js, every acknowledged write is on disk in a file better-sqlite3 reads as is, a
 * second process is refused while one holds the file, and writes still in a WAL are never
 * overwritten.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/store.js';
import { cli } from './helpers/project.js';
import { tempDir } from './helpers/stores.js';

const wasm = async <T>(f: () => Promise<T>): Promise<T> => {
  process.env.REFIT_SQLITE = 'wasm';
  try {
    return await f();
  } finally {
    delete process.env.REFIT_SQLITE;
  }
};

afterEach(() => {
  delete process.env.REFIT_SQLITE;
});

describe('SQLite through WebAssembly', () => {
  it('runs ingest and a retrain; the file is the same SQLite database for better-sqlite3', async () => {
    const dir = tempDir('refit-wasm-');
    await cli(['init'], { cwd: dir });
    const ingest = await wasm(() => cli(['ingest', 'events/sample.ndjson'], { cwd: dir }));
    expect(ingest.code, ingest.stderr).toBe(0);
    const run = await wasm(() => cli(['run', '--wait', '5m'], { cwd: dir }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/run_\w+ spam succeeded/);
    const file = join(dir, '.refit', 'refit.db');
    expect(existsSync(`${file}.lock`)).toBe(false); // released on close
    const db = new Database(file, { readonly: true });
    try {
      const events = db.prepare('select count(*) as n from predictions').get() as { n: number };
      expect(events.n).toBeGreaterThan(0);
      const runs = db.prepare("select state from runs where model = 'spam'").all() as { state: string }[];
      expect(runs.map((r) => r.state)).toEqual(['succeeded']);
    } finally {
      db.close();
    }
    // And back: the native build reads and writes the same file.
    const status = await cli(['--json', 'status'], { cwd: dir });
    expect(JSON.parse(status.stdout).models[0].budget.tokens).toBeCloseTo(1, 1);
  }, 60_000);

  it('refuses a second process while one holds the file, naming it and what to do', async () => {
    const dir = tempDir('refit-wasm-');
    const path = join(dir, 'refit.db');
    writeFileSync(`${path}.lock`, `${(await import('node:os')).hostname()}:${process.ppid}`);
    const err = await wasm(() => openStore(`sqlite:${path}`)).catch((e: Error) => e);
    expect(String(err)).toContain(`${path} is open in another refit process`);
    expect(String(err)).toContain('use PostgreSQL for several at once');
  });

  it('refuses a file whose WAL holds writes it cannot see', async () => {
    const dir = tempDir('refit-wasm-');
    const path = join(dir, 'refit.db');
    const native = new Database(path);
    native.pragma('journal_mode = WAL');
    native.exec('create table t (x); insert into t values (1)');
    // Still open: the insert is in refit.db-wal, not yet in refit.db.
    const err = await wasm(() => openStore(`sqlite:${path}`)).catch((e: Error) => e);
    native.close();
    expect(String(err)).toContain(`${path}-wal holds writes not yet in ${path}`);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
