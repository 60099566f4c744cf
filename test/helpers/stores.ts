/**
 * Store fixtures for the conformance suites: a fresh SQLite file, and a fresh PostgreSQL database
 * per call (created on the server at REFIT_TEST_PG_URL, dropped by the returned cleanup).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_URL = process.env.REFIT_TEST_PG_URL;

export interface TestStoreUrl {
  url: string;
  cleanup(): Promise<void>;
}

export type DialectName = 'sqlite' | 'postgres';

/** The dialects under test: SQLite always; PostgreSQL when REFIT_TEST_PG_URL is set (CI requires it). */
export const DIALECTS: DialectName[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export function tempDir(prefix = 'refit-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freshStoreUrl(dialect: DialectName): Promise<TestStoreUrl> {
  if (dialect === 'sqlite') {
    const dir = tempDir();
    return {
      url: `sqlite:${join(dir, 'refit.db')}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `refit_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(PG_URL!);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    cleanup: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function adminQuery(sql: string, params: unknown[] = [], database?: string): Promise<pg.QueryResult> {
  const u = new URL(PG_URL!);
  if (database) u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}
