/**
 * The external SQL count signal: a user-supplied query against the user's own database (the third
 * seed reads misclassification counts from PostgreSQL this way). `postgres://` or `sqlite:PATH`
 * (opened read-only). The URL is a secret: it never appears in errors.
 */
import BetterSqlite3 from 'better-sqlite3';
import { ExternalSignalError } from '../core/errors.js';
import type { ExternalCountConfig } from '../config/config.js';
import { redact } from '../config/secrets.js';

export async function readExternalCount(
  cfg: ExternalCountConfig,
  model: string,
  secrets: readonly string[],
): Promise<number> {
  const where = `models.${model}.evidence.external_count`;
  try {
    const value = cfg.url.startsWith('sqlite:') ? querySqlite(cfg) : await queryPostgres(cfg);
    const n = Number(value);
    if (value === null || value === undefined || !Number.isFinite(n)) {
      throw new ExternalSignalError(
        `${where}: the query must return one row with one numeric column, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  } catch (err) {
    if (err instanceof ExternalSignalError) throw err;
    const msg = redact(err instanceof Error ? err.message : String(err), [...secrets, cfg.url]);
    throw new ExternalSignalError(
      `${where}: the count query failed: ${msg} (check the URL in your environment and the SQL)`,
      { cause: undefined },
    );
  }
}

function firstValue(row: Record<string, unknown> | undefined): unknown {
  if (!row) return null;
  return Object.values(row)[0];
}

function querySqlite(cfg: ExternalCountConfig): unknown {
  const db = new BetterSqlite3(cfg.url.slice('sqlite:'.length), {
    readonly: true,
    fileMustExist: true,
    timeout: cfg.timeoutMs,
  });
  try {
    return firstValue(db.prepare(cfg.query).get() as Record<string, unknown> | undefined);
  } finally {
    db.close();
  }
}

async function queryPostgres(cfg: ExternalCountConfig): Promise<unknown> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: cfg.url,
    connectionTimeoutMillis: cfg.timeoutMs,
    statement_timeout: cfg.timeoutMs,
    query_timeout: cfg.timeoutMs + 1000,
    application_name: 'refit-external-count',
  });
  client.on('error', () => {});
  await client.connect();
  try {
    const res = await client.query(cfg.query);
    return firstValue(res.rows[0]);
  } finally {
    await client.end().catch(() => {});
  }
}
