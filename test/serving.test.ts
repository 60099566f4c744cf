/**
 * The prediction endpoint over real HTTP: the champion answers and every prediction is logged
 * with its id and version (feedback for a returned id is matched); the champion is swapped during
 * 10,000 requests with zero errors and every response from exactly one version; explicit version
 * and alias; a sticky canary share; a shadow that predicts on a copy and is never returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import type { AppContext } from '../src/app-context.js';
import { getVersion, openArtifact, registerVersion, setAlias } from '../src/registry/registry.js';
import { startService, type Service } from '../src/service/service.js';
import { cli, project } from './helpers/project.js';

const TOKEN = 'predict-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const CONFIG = `
serve:
  schedule: "0 0 1 1 *"
  tokens:
    - { token: "${TOKEN}", scopes: [predict, ingest] }
    - { token: "${ADMIN}", scopes: [admin] }
models:
  urgency:
    labels: [low, high]
    serving:
      shadow: challenger
      canary: { alias: canary, percent: 30, key: user }
`;
const examples = () =>
  Array.from({ length: 80 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `e${i}`,
      model: 'urgency',
      input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
      label: i % 2 ? 'high' : 'low',
    }),
  ).join('\n');

describe('prediction endpoint', () => {
  let app: AppContext;
  let svc: Service;
  beforeAll(async () => {
    const dir = project(CONFIG, { 'e.ndjson': examples() });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    app = await openApp({ cwd: dir, env: {} });
    // v2 and v3: the same artifact registered again (distinct versions to route between).
    const v1 = await openArtifact(app, await getVersion(app, 'urgency', 1));
    for (let i = 0; i < 2; i++) await registerVersion(app, { model: 'urgency', artifactPath: v1, actor: 'test' });
    svc = await startService(app, { port: 0 });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
    await closeApp(app);
  });
  const post = (path: string, body: unknown, token = TOKEN) =>
    fetch(svc.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('the champion answers one input or a batch; ids are logged with the version and take feedback', async () => {
    const one = await post('/v1/models/urgency/predict', { input: { text: 'server down outage now' } });
    expect(one.status).toBe(200);
    const body = await one.json();
    expect(body).toMatchObject({ model: 'urgency', version: 1, via: 'champion' });
    expect(body.predictions[0]).toMatchObject({ id: expect.stringMatching(/^pred_/), prediction: 'high' });
    expect(body.predictions[0].confidence).toBeGreaterThan(0.5);
    const batch = await (
      await post('/v1/models/urgency/predict', {
        inputs: [{ text: 'typo on page later' }, { text: 'server down outage now' }],
      })
    ).json();
    expect(batch.predictions.map((p: { prediction: string }) => p.prediction)).toEqual(['low', 'high']);
    const stored = await app.store.db
      .selectFrom('predictions')
      .selectAll()
      .where('id', '=', batch.predictions[1].id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ model: 'urgency', version: '1', prediction: 'high' });
    const fb = await post('/v1/feedback', {
      type: 'feedback',
      prediction_id: batch.predictions[1].id,
      model: 'urgency',
      label: 'low',
    });
    expect(await fb.json()).toMatchObject({ accepted: 1, matched: 1 });
  });

  it('explicit version and alias; clear 400/403/404s', async () => {
    expect((await (await post('/v1/models/urgency/predict?version=3', { input: { text: 'x' } })).json()).version).toBe(
      3,
    );
    await setAlias(app, 'urgency', 'staging', 2, 'test', 'test');
    await svc.tick();
    expect(
      await (await post('/v1/models/urgency/predict?alias=staging', { input: { text: 'x' } })).json(),
    ).toMatchObject({ version: 2, via: 'alias:staging' });
    const bad = await post('/v1/models/urgency/predict', { text: 'no wrapper' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain('body needs "input" (an object) or "inputs"');
    expect((await post('/v1/models/urgency/predict', { inputs: [{ text: 'a' }, 'b'] })).status).toBe(400);
    expect((await post('/v1/models/nope/predict', { input: { text: 'a' } })).status).toBe(404);
    const noAlias = await post('/v1/models/urgency/predict?alias=ghost', { input: { text: 'a' } });
    expect(noAlias.status).toBe(404);
    expect((await noAlias.json()).error).toContain('has no alias "ghost"');
    expect((await post('/v1/models/urgency/predict', { input: { text: 'a' } }, ADMIN)).status).toBe(200); // admin may do anything
    expect((await post('/v1/models/urgency/predict', { input: { text: 'a' } }, 'nope-token-0123456789')).status).toBe(
      401,
    );
  });

  it('a sticky canary takes its share; the shadow predicts on a copy and is never returned', async () => {
    await setAlias(app, 'urgency', 'canary', 2, 'test', 'test');
    await setAlias(app, 'urgency', 'challenger', 3, 'test', 'test');
    await svc.tick();
    const seen = new Map<string, Set<number>>();
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) {
      const user = `u${i % 200}`;
      const r = await (await post('/v1/models/urgency/predict', { input: { text: 'server down', user } })).json();
      if (!seen.has(user)) seen.set(user, new Set());
      seen.get(user)!.add(r.version);
      if (r.version === 1) ids.push(r.predictions[0].id);
      expect(JSON.stringify(r)).not.toContain('"version":3');
    }
    // Sticky: each user always saw one version; about 30% of users are on the canary.
    expect([...seen.values()].every((s) => s.size === 1)).toBe(true);
    const canaryUsers = [...seen.values()].filter((s) => s.has(2)).length;
    expect(canaryUsers).toBeGreaterThan(200 * 0.3 - 25);
    expect(canaryUsers).toBeLessThan(200 * 0.3 + 25);
    await new Promise((r) => setTimeout(r, 300));
    const shadows = await app.store.db
      .selectFrom('shadow_predictions')
      .selectAll()
      .where('id', 'in', ids.slice(0, 50))
      .execute();
    expect(shadows.length).toBe(50);
    expect(new Set(shadows.map((s) => s.version))).toEqual(new Set(['3']));
    await setAlias(app, 'urgency', 'canary', null, 'test', 'test');
    await setAlias(app, 'urgency', 'challenger', null, 'test', 'test');
    await svc.tick();
  });

  it('swapping the champion during 10,000 requests: zero errors, every response from exactly one version', async () => {
    const total = 10_000;
    const concurrency = 32;
    let started = 0;
    let promotedAt = -1;
    let promoteDone = -1;
    const results: { i: number; status: number; version: number | null; itemVersions: number[] }[] = [];
    const worker = async () => {
      for (;;) {
        const i = started++;
        if (i >= total) return;
        if (i === 3000) {
          promotedAt = i;
          const p = await fetch(svc.url + '/v1/models/urgency/promote', {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ version: 2, reason: 'load test swap' }),
          });
          expect(p.status).toBe(200);
          promoteDone = started;
        }
        const res = await post('/v1/models/urgency/predict', {
          inputs: [{ text: `load server down ${i}` }, { text: `load typo ${i}` }],
        });
        const body = res.status === 200 ? await res.json() : null;
        results.push({
          i,
          status: res.status,
          version: body?.version ?? null,
          itemVersions: body ? body.predictions.map(() => body.version) : [],
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(results).toHaveLength(total);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([1, 2]));
    // Requests started after the promotion returned are all served by the new champion.
    expect(results.filter((r) => r.i >= promoteDone && r.version !== 2)).toEqual([]);
    expect(promotedAt).toBe(3000);
    // Every prediction is logged under the version that answered it.
    const logged = await app.store.db
      .selectFrom('predictions')
      .select(['version', (eb) => eb.fn.countAll<number>().as('n')])
      .where('input', 'like', '%"text":"load server down %')
      .groupBy('version')
      .execute();
    const byVersion = Object.fromEntries(logged.map((l) => [l.version, Number(l.n)]));
    expect(byVersion['1']! + byVersion['2']!).toBe(total);
    expect(byVersion['2']).toBe(results.filter((r) => r.version === 2).length);
  }, 120_000);
});
