/**
 * `refit serve` over real HTTP on 127.0.0.1: scoped bearer tokens, ingestion with partial
 * rejection, body limit, runs, a manual retrain that goes around the loop, promote / rollback
 * errors, Prometheus metrics, OpenAPI, and a graceful SIGTERM of the real process.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import type { AppContext } from '../src/app-context.js';
import { startService, type Service } from '../src/service/service.js';
import { project } from './helpers/project.js';
import { REFIT_BIN } from './helpers/spawn.js';

const ADMIN = 'admin-token-0123456789abcdef';
const INGEST = 'ingest-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const CONFIG = `
serve:
  schedule: "0 0 1 1 *"
  body_limit: 4096
  tokens:
    - { token: "\${ADMIN_TOKEN}", scopes: [admin] }
    - { token: "\${INGEST_TOKEN}", scopes: [ingest] }
    - { token: "\${READ_TOKEN}", scopes: [read] }
models:
  spam:
    labels: [ham, spam]
`;
const env = { ADMIN_TOKEN: ADMIN, INGEST_TOKEN: INGEST, READ_TOKEN: READ };

describe('refit serve', () => {
  let app: AppContext;
  let svc: Service;
  let dir: string;
  beforeAll(async () => {
    dir = project(CONFIG);
    app = await openApp({ cwd: dir, env });
    svc = await startService(app, { port: 0 });
  });
  afterAll(async () => {
    await svc.stop();
    await closeApp(app);
  });
  const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(svc.url + path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });

  it('health, OpenAPI and token scopes', async () => {
    expect(await (await call('/healthz')).json()).toEqual({ status: 'ok', store: 'sqlite' });
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/feedback', '/v1/runs', '/v1/models/{model}/promote']),
    );
    const none = await call('/v1/runs');
    expect(none.status).toBe(401);
    expect((await none.json()).error).toContain('send Authorization: Bearer <token>');
    expect((await call('/v1/runs', { token: 'wrong-token-0123456789' })).status).toBe(401);
    expect((await call('/v1/feedback', { method: 'POST', token: READ, body: {} })).status).toBe(403);
    expect((await call('/v1/models/spam/rollback', { method: 'POST', token: READ })).status).toBe(403);
    expect((await call('/v1/runs', { token: READ })).status).toBe(200);
  });

  it('ingests a batch, keeps the good events when some are bad, and enforces the body limit', async () => {
    const events = Array.from({ length: 30 }, (_, i) => ({
      type: 'example',
      id: `h${i}`,
      model: 'spam',
      input: { text: `${i % 2 ? 'win free prize' : 'meeting notes'} ${i}` },
      label: i % 2 ? 'spam' : 'ham',
    }));
    const ok = await call('/v1/feedback', { method: 'POST', token: INGEST, body: events.slice(0, 20) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accepted: 20, rejected: 0 });
    const mixed = await call('/v1/feedback', {
      method: 'POST',
      token: INGEST,
      body: {
        events: [
          ...events.slice(20),
          { type: 'example', id: 'bad', model: 'spam', input: { text: 'x' }, label: 'eggs' },
        ],
      },
    });
    expect(mixed.status).toBe(422);
    const body = await mixed.json();
    expect(body).toMatchObject({
      accepted: 10,
      rejected: 1,
      errors: [{ index: 11, field: 'label', reason: expect.stringContaining('unknown label "eggs"') }],
    });
    // A "__proto__" key is one bad event of the batch, not a reason to refuse the other events.
    const proto = `[{"type":"example","id":"p1","model":"spam","input":{"text":"a"},"label":"ham"},{"__proto__":{"x":1}}]`;
    const poisoned = await call('/v1/feedback', { method: 'POST', token: INGEST, body: proto });
    expect(poisoned.status).toBe(422);
    expect(await poisoned.json()).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 2 }] });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    const huge = await call('/v1/feedback', { method: 'POST', token: INGEST, body: 'x'.repeat(5000) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toContain('serve.body_limit');
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toContain('refit_ingested_events_total 31');
  });

  it('a manual retrain over HTTP goes around the loop; promote and rollback errors are 4xx', async () => {
    const r = await call('/v1/models/spam/retrain', { method: 'POST', token: ADMIN });
    expect(r.status).toBe(202);
    const { run } = await r.json();
    let state = '';
    for (let i = 0; i < 200 && state !== 'succeeded' && state !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      state = ((await (await call(`/v1/runs/${run}`, { token: READ })).json()) as { state: string }).state;
    }
    expect(state).toBe('succeeded');
    const detail = await (await call(`/v1/runs/${run}`, { token: READ })).json();
    expect(detail.steps.map((s: { step: string }) => s.step)).toEqual([
      'prepare',
      'validate',
      'train',
      'evaluate',
      'gate',
      'register',
      'deploy',
      'verify',
      'notify',
    ]);
    const versions = await (await call('/v1/models/spam/versions', { token: READ })).json();
    expect(versions[0]).toMatchObject({ version: 1, aliases: ['champion'] });
    const page = await call(`/v1/runs/${run}/reports/validation.html`, { token: READ });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toMatch(/<title>Dataset validation /);
    expect((await call(`/v1/runs/${run}/reports/validation.html`)).status).toBe(401);
    for (const bad of ['refit.yaml', '..%2F..%2Frefit.yaml', 'gate.html'])
      expect((await call(`/v1/runs/${run}/reports/${bad}`, { token: READ })).status).toBe(404);
    expect((await call(`/v1/runs/${run}/retry`, { method: 'POST', token: READ })).status).toBe(403);
    const retry = await call(`/v1/runs/${run}/retry`, { method: 'POST', token: ADMIN });
    expect(retry.status).toBe(409);
    expect((await retry.json()).error).toMatch(/only a failed run can be retried/);
    const line = await (await call('/v1/models/spam', { token: READ })).json();
    expect(line).toMatchObject({ model: 'spam', champion: 1, versions: 1, aliases: { champion: 1 } });
    expect(line.monitor).toHaveProperty('last');
    expect((await call('/v1/models/nope', { token: READ })).status).toBe(404);
    const budget = await (await call('/v1/models/spam/budget', { token: READ })).json();
    expect(budget.at(-1)).toMatchObject({ action: 'retrain', capacity: expect.any(Number) });
    expect(budget.at(-1).tokens).toBeLessThanOrEqual(budget.at(-1).capacity);
    expect((await call('/v1/models/spam/promote', { method: 'POST', token: ADMIN, body: { version: 9 } })).status).toBe(
      404,
    );
    expect(
      (await call('/v1/models/spam/promote', { method: 'POST', token: ADMIN, body: { version: 'x' } })).status,
    ).toBe(400);
    const rb = await call('/v1/models/spam/rollback', { method: 'POST', token: ADMIN, body: {} });
    expect(rb.status).toBe(409);
    expect((await rb.json()).error).toContain('no previous champion');
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toContain('refit_runs{model="spam",state="succeeded"} 1');
    expect(metrics).toContain('refit_champion_version{model="spam"} 1');
    expect(metrics).toMatch(/refit_budget_tokens\{model="spam"\} \d/);
    expect(metrics).toMatch(
      /refit_step_duration_seconds_count\{step="train",state="succeeded"\} 1\nrefit_step_duration_seconds_sum\{step="train",state="succeeded"\} [\d.]+/,
    );
    expect(metrics).toContain('refit_predictions_served_total 0');
  });
});

describe('refit serve as a process', () => {
  it('listens, answers, and stops cleanly on SIGTERM', async () => {
    const dir = project(CONFIG);
    const child = spawn(process.execPath, [REFIT_BIN, 'serve', '--port', '0', '--log-format', 'json'], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    for (let i = 0; i < 100 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('refit serve stopped');
    expect(err + out).not.toContain(ADMIN);
  });
});
