/**
 * Production monitoring on SQLite and PostgreSQL: a champion that does worse than the version it
 * replaced — significantly, on enough reviewed predictions — is rolled back exactly once and
 * announced exactly once, however many ticks (or processes) look at it; too few samples or a drop
 * inside the margin changes nothing; `action: alert` alerts once and moves nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.js';
import type { RefitEvent } from '../src/core/glossary.js';
import { ManualClock } from '../src/core/ports/clock.js';
import { monitorAll } from '../src/monitor/monitor.js';
import { renderStatus } from '../src/report/human.js';
import { readStatus } from '../src/status/status.js';
import { monitorVerdicts } from '../src/stores/monitor-verdicts.js';
import { deliverDue } from '../src/notify/outbox.js';
import { promote, registerVersion } from '../src/registry/registry.js';
import { aliasHistory } from '../src/stores/aliases.js';
import { writeEventBatch } from '../src/stores/evidence.js';
import { cli, project } from './helpers/project.js';
import { Receivers } from './helpers/receivers.js';
import { DIALECTS, tempDir } from './helpers/stores.js';
import { storeFixture } from './helpers/fixture.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');
let rx: Receivers;
beforeAll(async () => {
  rx = await new Receivers().start();
});
afterAll(async () => rx.stop());

/** n reviewed predictions of `version`, `correct` of them right. */
function traffic(prefix: string, version: number, n: number, correct: number, t: number): RefitEvent[] {
  const out: RefitEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    out.push({
      type: 'prediction',
      id,
      model: 'spam',
      version: String(version),
      input: { text: `m ${id}` },
      prediction: 'spam',
      confidence: 0.9,
      tsMs: t + i,
    });
    out.push({
      type: 'feedback',
      predictionId: id,
      model: 'spam',
      label: i < correct ? 'spam' : 'ham',
      reviewerConfidence: 0.9,
      tsMs: t + i,
    });
  }
  return out;
}

describe.each(DIALECTS)('monitoring (%s)', (dialect) => {
  const stores = storeFixture(dialect);

  async function twoVersions(
    action: 'rollback' | 'alert',
  ): Promise<{ app: AppContext; clock: ManualClock; dir: string }> {
    const clock = new ManualClock(T0);
    const yaml = `notify:\n  - { kind: slack, webhook_url: "${rx.url}/slack/${dialect}-${action}" }\nmodels:\n  spam:\n    labels: [ham, spam]\n    monitor: { min_samples: 200, margin: 0.02, alpha: 0.01, action: ${action} }\n`;
    const dir = project(yaml);
    const app = await stores.open(dir, { clock });
    const artifact = join(tempDir(), 'model.json');
    writeFileSync(artifact, '{}');
    for (const v of [1, 2]) {
      await registerVersion(app, { model: 'spam', artifactPath: artifact, actor: 'test' });
      await promote(app, 'spam', v, 'test', `promote v${v}`);
    }
    return { app, clock, dir };
  }

  it('a significant drop rolls back once and alerts once, across repeated ticks and a second instance', async () => {
    const { app, clock, dir } = await twoVersions('rollback');
    await writeEventBatch(app.store, traffic('a', 1, 1000, 950, T0 - 3_600_000), T0);
    // v2 so far: 150 reviewed, bad — not enough samples for a verdict yet.
    await writeEventBatch(app.store, traffic('b', 2, 150, 100, T0), T0);
    let [r] = await monitorAll(app);
    expect(r).toMatchObject({ action: 'none', champion: 2, previous: 1 });
    expect(r!.reason).toMatch(/waiting for 200 reviewed predictions/);

    await writeEventBatch(app.store, traffic('c', 2, 250, 170, T0 + 1000), T0 + 1000);
    clock.advance(60_000);
    // Concurrent ticks; on PostgreSQL also a second instance of refit (one process cannot hold two
    // SQLite write locks — the cross-process SQLite races live in multi-process.test.ts).
    const instances = [app, app];
    if (dialect === 'postgres') {
      const other = await stores.open(
        project(
          `notify:\n  - { kind: slack, webhook_url: "${rx.url}/slack/${dialect}-rollback" }\nmodels:\n  spam:\n    labels: [ham, spam]\n    monitor: { min_samples: 200 }\n`,
        ),
        { clock, store: dir },
      );
      instances.push(other);
    }
    const results = await Promise.all(instances.map((a) => monitorAll(a)));
    const actions = results.flat().map((x) => x.action);
    expect(actions.filter((a) => a === 'rolled_back')).toHaveLength(1);
    const rolled = results.flat().find((x) => x.action === 'rolled_back')!;
    expect(rolled.reason).toMatch(
      /^v2 accuracy 0\.6750 on 400 reviewed vs v1 0\.9500 on 1000: degraded: drop 0\.2750 > margin 0\.02 \(z [\d.]+, one-sided p [\d.e+-]+ < 0\.01\)$/,
    );

    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      await monitorAll(app);
      await deliverDue(app);
    }
    const history = await aliasHistory(app.store, 'spam');
    expect(history.filter((h) => h.action === 'rollback' && h.alias === 'champion')).toEqual([
      expect.objectContaining({ from: 2, to: 1, actor: 'monitor' }),
    ]);
    const alerts = rx.to(`/slack/${dialect}-rollback`);
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.body).text).toContain(
      'spam v2 degraded in production: accuracy 0.675 vs v1 0.950 — rolled back to v1',
    );
    const decisions = await app.store.db.selectFrom('decisions').selectAll().where('actor', '=', 'monitor').execute();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.action).toBe('rollback');
    // The instance that lost the race says it did nothing, and why; none claims an alert it did not send.
    expect(actions.filter((a) => a === 'alerted')).toEqual([]);
    const lost = results.flat().filter((x) => x !== rolled);
    for (const x of lost) expect(x.reason).toMatch(/not rolled back here|v1 replaced no earlier champion/);
    // What status and GET /v1/models/:model show: the last pass, and the last verdict that acted.
    const seen = await monitorVerdicts(app.store, 'spam');
    expect(seen.lastAction).toMatchObject({ action: 'rolled_back', champion: 2, previous: 1 });
    expect(seen.lastAction!.numbers).toMatchObject({ championN: 400, previousN: 1000 });
    expect(seen.lastAction!.numbers!.pValue).toBeLessThan(0.01);
    expect(seen.last).toMatchObject({ champion: 1, action: 'none' });
    const status = renderStatus(await readStatus(app));
    expect(status).toMatch(/spam: monitor .* no action — v1 replaced no earlier champion/);
    expect(status).toMatch(
      /last action .*: rolled back v2 to v1 — v2 accuracy 0\.6750 on 400 .*\[n 400 vs 1000, z [\d.]+, p /,
    );
  });

  it('a drop inside the margin changes nothing; action "alert" alerts once and moves nothing', async () => {
    const { app } = await twoVersions('alert');
    await writeEventBatch(app.store, traffic('a', 1, 1000, 950, T0 - 3_600_000), T0);
    await writeEventBatch(app.store, traffic('b', 2, 1000, 940, T0), T0);
    expect((await monitorAll(app))[0]).toMatchObject({ action: 'none' });
    await writeEventBatch(app.store, traffic('c', 2, 1000, 700, T0 + 5000), T0 + 5000);
    expect((await monitorAll(app))[0]!.action).toBe('alerted');
    expect((await monitorAll(app))[0]!.action).toBe('none');
    expect(rx.to(`/slack/${dialect}-alert`)).toHaveLength(1);
    expect((await aliasHistory(app.store, 'spam')).filter((h) => h.action === 'rollback')).toEqual([]);
  });
});

describe('production input drift', () => {
  it('inputs unlike the training data alert once and feed the drift_score of the next decision', async () => {
    const examples = Array.from({ length: 80 }, (_, i) =>
      JSON.stringify({
        type: 'example',
        id: `e${i}`,
        model: 'urgency',
        input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
        label: i % 2 ? 'high' : 'low',
      }),
    ).join('\n');
    // Production traffic of v1 in another vocabulary altogether.
    const traffic = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        type: 'prediction',
        id: `p${i}`,
        model: 'urgency',
        version: '1',
        input: { text: `rechnung zahlung mahnung konto ${i % 7}` },
        prediction: 'low',
        confidence: 0.6,
        ts: '2026-11-22T12:00:00Z',
      }),
    ).join('\n');
    const dir = project(
      `notify:\n  - { kind: slack, webhook_url: "${rx.url}/slack/drift" }\nmodels:\n  urgency:\n    labels: [low, high]\n`,
      { 'e.ndjson': examples, 't.ndjson': traffic },
    );
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    expect((await cli(['run', '--force', 'urgency', '--json'], { cwd: dir })).code).toBe(0);
    await cli(['ingest', 't.ndjson'], { cwd: dir });
    await cli(['run', '--json'], { cwd: dir });
    await cli(['run', '--json'], { cwd: dir });
    const alerts = rx.to('/slack/drift').filter((r) => JSON.parse(r.body).text.includes('drifted'));
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.body).text).toMatch(
      /urgency v1: production inputs drifted from the training data \(1 of 1 columns\)/,
    );
    const plan = JSON.parse((await cli(['plan', '--json'], { cwd: dir })).stdout);
    expect(plan.outcomes[0].decision.signals.drift_score).toBe(1);
  }, 120_000);
});
