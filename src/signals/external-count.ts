/**
 * The external SQL count signal: a user-supplied query against the user's own database (the third
 * seed reads misclassification counts from PostgreSQL this way). `postgres://` or `sqlite:PATH`
 * (opened read-only). The URL is a secret: it never appears in errors.
 */
import BetterSqlite3 from 'better-sqlite3';
import { UpstreamUnavailableError } from '../core/errors.js';
import type { ExternalCountConfig } from '../config/config.js';
import { redact } from '../config/secrets.js';

export async function readExternalCount(
  cfg: ExternalCountConfig,
  model: string,
  secrets: readonly string[],
): Promise<number> {
  const where = `models.${model}.evidence.external_count`;
  try {
    const url = cfg.url.value;
    const value = url.startsWith('sqlite:') ? querySqlite(cfg, url) : await queryPostgres(cfg, url);
    const n = Number(value);
    if (value === null || value === undefined || !Number.isFinite(n)) {
      throw new UpstreamUnavailableError(
        `${where}: the query must return one row with one numeric column, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  } catch (err) {
    if (err instanceof UpstreamUnavailableError) throw err;
    const msg = redact(err instanceof Error ? err.message : String(err), [...secrets, cfg.url.value]);
    throw new UpstreamUnavailableError(
      `${where}: the count query failed: ${msg} (check the URL in your environment and the SQL)`,
    );
  }
}

function firstValue(row: Record<string, unknown> | undefined): unknown {
  if (!row) return null;
  return Object.values(row)[0];
}

function querySqlite(cfg: ExternalCountConfig, url: string): unknown {
  const db = new BetterSqlite3(url.slice('sqlite:'.length), {
    readonly: true,
    fileMustExist: true,
    timeout: cfg.timeout,
  });
  try {
    return firstValue(db.prepare(cfg.query).get() as Record<string, unknown> | undefined);
  } finally {
    db.close();
  }
}

async function queryPostgres(cfg: ExternalCountConfig, url: string): Promise<unknown> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: cfg.timeout,
    statement_timeout: cfg.timeout,
    query_timeout: cfg.timeout + 1000,
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
