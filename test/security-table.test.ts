/**
 * Every route × every scope, from the one route table (http/openapi.ts): no token → 401, a token
 * without the route's scope → 403, the route's own scope or admin → neither. Path traversal and
 * SQL-looking names in every name a route takes are a 404 (or 400), never a 500 or a file.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import type { AppContext } from '../src/app-context.js';
import { ROUTES } from '../src/http/openapi.js';
import { startService, type Service } from '../src/service/service.js';
import { project } from './helpers/project.js';

const SCOPES = ['ingest', 'predict', 'read', 'admin'] as const;
const token = (s: string) => `${s}-token-0123456789abcdef`;
const CONFIG = `
serve:
  schedule: "0 0 1 1 *"
  tokens:
${SCOPES.map((s) => `    - { token: "${token(s)}", scopes: [${s}] }`).join('\n')}
models:
  spam:
    labels: [ham, spam]
`;

let app: AppContext;
let svc: Service;
beforeAll(async () => {
  app = await openApp({ cwd: project(CONFIG), env: {} });
  svc = await startService(app, { port: 0 });
});
afterAll(async () => {
  await svc?.stop();
  if (app) await closeApp(app);
});

const fill = (path: string, names: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(names[k] ?? (k === 'model' ? 'spam' : 'run_none')));

async function call(method: string, path: string, auth?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = `Bearer ${auth}`;
  const res = await fetch(svc.url + path, {
    method: method.toUpperCase(),
    headers,
    body: method === 'post' ? '{}' : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

async function callWithBody(method: string, path: string, auth: string) {
  const res = await fetch(svc.url + path, {
    method: method.toUpperCase(),
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    body: method === 'post' ? '{}' : undefined,
  });
  return { status: res.status, body: await res.text() };
}

/** The store's tables and the row count of each. */
async function snapshot() {
  const tables = (await app.store.db.introspection.getTables()).map((t) => t.name).sort();
  const rows: Record<string, number> = {};
  for (const t of tables) {
    const db = app.store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const r = await db
      .selectFrom(t)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    rows[t] = Number(r.n);
  }
  return { tables, rows };
}

describe('routes × scopes', () => {
  const scoped = ROUTES.filter((r) => r.scope);
  it('covers the scoped routes of the table', () => expect(scoped.length).toBeGreaterThanOrEqual(15));

  for (const r of scoped) {
    it(`${r.method.toUpperCase()} ${r.path} needs ${r.scope}`, async () => {
      const path = fill(r.path, { file: 'validation.html' });
      expect(await call(r.method, path)).toBe(401);
      expect(await call(r.method, path, 'not-a-token-0123456789')).toBe(401);
      for (const s of SCOPES) {
        const status = await call(r.method, path, token(s));
        const allowed = s === r.scope || s === 'admin';
        if (allowed) expect([401, 403], `${s} on ${path}`).not.toContain(status);
        else expect(status, `${s} on ${path}`).toBe(403);
        expect(status, `${s} on ${path}`).toBeLessThan(500);
      }
    });
  }
});

describe('names from requests', () => {
  const NASTY = [
    '../../etc/passwd',
    '..%2F..%2Frefit.yaml',
    "spam' OR '1'='1",
    'spam; DROP TABLE runs;--',
    '__proto__',
    'constructor',
    '%00',
    'a'.repeat(5000),
  ];
  it('every name a route takes answers 4xx for traversal, SQL-looking and prototype names, never 500', async () => {
    // Something in the store to lose: events, a run, a version and its alias.
    const events = [{ type: 'example', id: 'sec1', model: 'spam', input: { text: 'free prize' }, label: 'spam' }];
    const ingestHeaders = { authorization: `Bearer ${token('ingest')}`, 'content-type': 'application/json' };
    const ingested = await fetch(`${svc.url}/v1/feedback`, {
      method: 'POST',
      headers: ingestHeaders,
      body: JSON.stringify(events),
    });
    expect(ingested.status).toBe(200);
    const before = await snapshot();
    expect(before.tables).toContain('runs');
    expect(before.rows.examples).toBe(1);

    const named = ROUTES.filter((r) => r.scope && /\{(model|id|file)\}/.test(r.path));
    for (const r of named)
      for (const bad of NASTY) {
        const path = r.path.replace(/\{(\w+)\}/g, (_m, k: string) =>
          k === 'model' || k === 'id' || k === 'file' ? encodeURIComponent(bad) : 'x',
        );
        const { status, body } = await callWithBody(r.method, path, token('admin'));
        expect(status, `${r.method} ${path.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        expect(status, `${r.method} ${path.slice(0, 120)}`).toBeLessThan(500);
        // Never a file's content: not /etc/passwd, not refit.yaml with its tokens.
        expect(body).not.toMatch(/root:x?:0:0|ingest-token-0123456789abcdef|serve:/);
      }
    // Every table still there, every row count unchanged: no name reached a query as SQL.
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
