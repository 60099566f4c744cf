/**
 * The external SQL count signal against a real PostgreSQL database with a reviews table (the third
 * seed's way of reading misclassification counts), and against a SQLite file. Failures name the
 * config path and never print the URL's password.
 */
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, project } from './helpers/project.js';
import { adminQuery, PG_URL, tempDir } from './helpers/stores.js';

const DB = `refit_reviews_${process.pid}`;

const config = (query: string, extra = '') => `
models:
  urgency:
    evidence:
      external_count:
        url: \${REVIEWS_DB_URL}
        query: ${query}
        timeout: 2s
    triggers:
      rules:
        - { signal: external_count, op: ">=", value: 3 }
${extra}`;

describe.skipIf(!PG_URL)('external count on PostgreSQL', () => {
  let url = '';
  beforeAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${DB}`);
    await adminQuery(
      `CREATE TABLE reviews (id serial PRIMARY KEY, label text NOT NULL, predicted text NOT NULL, corrected text NOT NULL, reviewed_at timestamptz NOT NULL DEFAULT now())`,
      [],
      DB,
    );
    await adminQuery(
      `INSERT INTO reviews (label, predicted, corrected) VALUES ('urgency','high','low'),('urgency','low','high'),('urgency','low','low'),('urgency','high','low'),('department','it','hr')`,
      [],
      DB,
    );
    const u = new URL(PG_URL!);
    u.pathname = `/${DB}`;
    url = u.toString();
  });
  afterAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });

  it('reads the count and triggers on it', async () => {
    const dir = project(config(`"SELECT count(*) FROM reviews WHERE label = 'urgency' AND predicted <> corrected"`));
    const r = await cli(['plan', '--json'], { cwd: dir, env: { REVIEWS_DB_URL: url } });
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout).outcomes[0];
    expect(o.decision.signals.external_count).toBe(3);
    expect(o.decision.reason).toContain('external_count 3 >= 3');
  });

  it('a failing query is reported for its model line, exit 1, without the password', async () => {
    const dir = project(config('"SELECT count(*) FROM no_such_table"'));
    const r = await cli(['plan'], { cwd: dir, env: { REVIEWS_DB_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'models.urgency.evidence.external_count: the count query failed: relation "no_such_table" does not exist',
    );
    expect(r.stdout + r.stderr).not.toContain('refit-test-pw');
  });

  it('a wrong password is reported without the URL', async () => {
    const bad = url.replace('refit-test-pw', 'wrong-pw-123');
    const dir = project(config('"SELECT 1"'));
    const r = await cli(['plan', '--json'], { cwd: dir, env: { REVIEWS_DB_URL: bad } });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('wrong-pw-123');
  });
});

describe('external count on SQLite', () => {
  it('reads a count from a SQLite file and rejects a non-numeric result', async () => {
    const dir = tempDir();
    const file = join(dir, 'reviews.db');
    const db = new BetterSqlite3(file);
    db.exec(
      `CREATE TABLE reviews (predicted TEXT, corrected TEXT); INSERT INTO reviews VALUES ('a','b'),('a','b'),('a','b'),('a','a');`,
    );
    db.close();
    const ok = project(config('"SELECT count(*) AS n FROM reviews WHERE predicted <> corrected"'));
    const r = JSON.parse(
      (await cli(['plan', '--json'], { cwd: ok, env: { REVIEWS_DB_URL: `sqlite:${file}` } })).stdout,
    );
    expect(r.outcomes[0].decision.signals.external_count).toBe(3);
    const bad = project(config(`"SELECT 'lots'"`));
    const b = await cli(['plan'], { cwd: bad, env: { REVIEWS_DB_URL: `sqlite:${file}` } });
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('the query must return one row with one numeric column, got "lots"');
  });
});
