/**
 * Fault tests of durable runs: `refit run` is killed with SIGKILL at every step — as the step
 * starts, after its work but before its record, and right after the record — then the next
 * `refit run --wait` (another process, after the lease expired) finishes the run. Every time the
 * loop ends with exactly one dataset version, one training job, one registered version, one
 * promotion and one notification. A transient failure is retried with backoff by itself.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/store.js';
import { project } from './helpers/project.js';
import { Receivers } from './helpers/receivers.js';
import { refit } from './helpers/spawn.js';

const STEPS = ['prepare', 'validate', 'train', 'evaluate', 'gate', 'register', 'deploy', 'verify', 'notify'];
const POINTS = ['before', 'after', 'recorded'];

let rx: Receivers;
beforeAll(async () => {
  rx = await new Receivers().start();
});
afterAll(async () => rx.stop());

const examples = Array.from({ length: 60 }, (_, i) =>
  JSON.stringify({
    type: 'example',
    id: `e${i}`,
    model: 'urgency',
    input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
    label: i % 2 ? 'high' : 'low',
  }),
).join('\n');
const config = (slack: string, deploy = '{}') => `
lease: 1s
retry: { attempts: 3, backoff: 1s }
notify:
  - { kind: slack, webhook_url: "${rx.url}/slack/${slack}" }
models:
  urgency:
    labels: [low, high]
    deploy: ${deploy}
`;

async function exactlyOnce(dir: string, slack: string): Promise<void> {
  const store = await openStore(`sqlite:${join(dir, '.refit', 'refit.db')}`);
  try {
    const db = store.db;
    expect(await db.selectFrom('datasets').select('tag').execute()).toHaveLength(1);
    expect(await db.selectFrom('training_jobs').select('state').execute()).toEqual([{ state: 'succeeded' }]);
    expect(await db.selectFrom('model_versions').select('version').execute()).toEqual([{ version: 1 }]);
    expect(await db.selectFrom('alias_history').select('action').where('alias', '=', 'champion').execute()).toEqual([
      { action: 'promote' },
    ]);
    expect(await db.selectFrom('notifications').select(['state']).execute()).toEqual([{ state: 'delivered' }]);
    expect(await db.selectFrom('runs').select('state').execute()).toEqual([{ state: 'succeeded' }]);
  } finally {
    await store.close();
  }
  expect(rx.to(`/slack/${slack}`)).toHaveLength(1);
}

describe('SIGKILL at every step boundary and inside every step', () => {
  for (const step of STEPS) {
    it.concurrent(
      `killed at ${POINTS.map((p) => `${p}:${step}`).join(', ')} — one of everything`,
      async () => {
        for (const point of POINTS) {
          const slack = `${point}-${step}`;
          const dir = project(config(slack), { 'e.ndjson': examples });
          expect((await refit(['ingest', 'e.ndjson'], { cwd: dir })).code).toBe(0);
          const killed = await refit(['run', '--force', 'urgency'], {
            cwd: dir,
            env: { REFIT_FAILPOINTS: `${point}:${step}` },
          });
          expect(killed.code, `${point}:${step} should have killed refit`).toBe(-1);
          await new Promise((r) => setTimeout(r, 1100)); // the dead worker's lease expires
          const resumed = await refit(['run', '--wait', '1m', '--json'], { cwd: dir });
          expect(resumed.code, `${point}:${step}: ${resumed.stdout}${resumed.stderr}`).toBe(0);
          expect(JSON.parse(resumed.stdout).runs.map((r: { state: string }) => r.state)).toEqual(['succeeded']);
          await exactlyOnce(dir, slack);
        }
      },
      120_000,
    );
  }
});

describe('automatic retries', () => {
  it('a transient deploy failure (503) is retried with backoff and the run succeeds; the step shows its attempts', async () => {
    rx.faults.set('/hook/flaky', [503]);
    const dir = project(config('retry', `{ target: webhook, url: "${rx.url}/hook/flaky" }`), { 'e.ndjson': examples });
    await refit(['ingest', 'e.ndjson'], { cwd: dir });
    const first = await refit(['run', '--force', 'urgency', '--json'], { cwd: dir });
    const run = JSON.parse(first.stdout).runs[0];
    expect(run.state).toBe('waiting');
    expect(run.outcome).toMatch(
      /^step deploy failed \(attempt 1 of 3\): deploying urgency v1 to webhook: POST \*\*\* → 503: fault; retrying in 1 s$/,
    );
    const done = await refit(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(JSON.parse(done.stdout).runs.map((r: { state: string }) => r.state)).toEqual(['succeeded']);
    const show = await refit(['runs', 'show', run.runId], { cwd: dir });
    expect(show.stdout).toMatch(/deploy\s+succeeded .*\(2 attempts\)/);
    expect(rx.to('/hook/flaky')).toHaveLength(2);
    await exactlyOnce(dir, 'retry');
  }, 120_000);

  it('a permanent failure is not retried: the run fails at once with the reason', async () => {
    const dir = project(config('perm', `{ target: webhook, url: "${rx.url}/nowhere" }`), { 'e.ndjson': examples });
    await refit(['ingest', 'e.ndjson'], { cwd: dir });
    const r = await refit(['run', '--force', 'urgency', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({
      state: 'failed',
      outcome: expect.stringMatching(/deploying urgency v1 to webhook: POST \*\*\* → 404: not found/),
    });
  }, 60_000);
});
