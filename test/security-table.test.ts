/**
 * Every route × every scope, from the one route table (http/openapi.ts): no token → 401, a token
 * without the route's scope → 403, the route's own scope or admin → neither. Path traversal and
 * SQL-looking names in every name a route takes are a 404 (or 400), never a 500 or a file.
 */
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
    const named = ROUTES.filter((r) => r.scope && /\{(model|id|file)\}/.test(r.path));
    for (const r of named)
      for (const bad of NASTY) {
        const path = r.path.replace(/\{(\w+)\}/g, (_m, k: string) =>
          k === 'model' || k === 'id' || k === 'file' ? encodeURIComponent(bad) : 'x',
        );
        const status = await call(r.method, path, token('admin'));
        expect(status, `${r.method} ${path.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        expect(status, `${r.method} ${path.slice(0, 120)}`).toBeLessThan(500);
      }
    const tables = await app.store.db.selectFrom('runs').select('id').execute();
    expect(Array.isArray(tables)).toBe(true); // the runs table is still there
  }, 60_000);
});
