/**
 * The Hugging Face Space executor against a local Hub-shaped server: variables set and the Space
 * restarted, the run parked while it builds and runs, a new commit on the model repo taken as the
 * candidate; an error stage fails the run with the Space's message; timeout and `refit cancel`
 * pause the Space.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModel } from '../src/ml/train/model.js';
import { cli, project } from './helpers/project.js';
import { FakeHub } from './helpers/fake-hub.js';

let hub: FakeHub;
const rows = Array.from({ length: 60 }, (_, i) => ({
  input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
  label: i % 2 ? 'high' : 'low',
}));
beforeAll(async () => {
  hub = await new FakeHub().start();
});
afterAll(async () => hub.stop());

const examples = rows
  .map((r, i) => JSON.stringify({ type: 'example', id: `e${i}`, model: 'urgency', ...r }))
  .join('\n');
const config = (repo: string, timeout = '10m') => `
hub_url: ${hub.url}
retry: { attempts: 1 }
models:
  urgency:
    labels: [low, high]
    train:
      executor: hf-space
      timeout: ${timeout}
      hf_space: { space: acme/trainer, model_repo: ${repo}, token: "${hub.token}", poll: 1s }
`;

async function started(repo: string, timeout?: string) {
  const dir = project(config(repo, timeout), { 'e.ndjson': examples });
  await cli(['ingest', 'e.ndjson'], { cwd: dir });
  const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
  return { dir, run: JSON.parse(r.stdout).runs[0] as { runId: string; state: string; outcome: string } };
}

describe('Hugging Face Space executor', () => {
  it('restarts the Space with its variables, waits for the new model commit, and uses it', async () => {
    hub.runtimeError = null;
    hub.onTrigger = null;
    const { dir, run } = await started('acme/urgency-a');
    expect(run).toMatchObject({ state: 'waiting', outcome: 'remote hf-space job submitted' });
    expect(hub.variables.get('acme/trainer')).toMatchObject({
      REFIT_KEY: run.runId,
      REFIT_MODEL: 'urgency',
      REFIT_DATASET: expect.stringMatching(/^v\d{8}_\d{6}$/),
    });
    expect(hub.count('POST', '/api/spaces/acme/trainer/restart')).toBeGreaterThan(0);
    hub.stage = 'RUNNING';
    const waiting = await cli(['run', '--json'], { cwd: dir });
    expect(JSON.parse(waiting.stdout).runs).toEqual([]); // parked until its next check
    // The Space finishes: it pushes its model to the model repo.
    hub.publishModel('acme/urgency-a', {
      'model.json': JSON.stringify(trainModel(rows, 'text-classification', { maxIter: 20 })),
    });
    const done = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(done.code, done.stdout).toBe(0);
    expect(JSON.parse(done.stdout).runs[0]).toMatchObject({ runId: run.runId, state: 'succeeded' });
    const v = JSON.parse((await cli(['models', 'show', 'urgency', '1', '--json'], { cwd: dir })).stdout);
    expect(v.lineage).toMatchObject({ executor: 'hf-space' });
    expect(v.metrics.accuracy).toBeGreaterThan(0.9);
  }, 60_000);

  it('an error stage fails the run with the Space message', async () => {
    const { dir } = await started('acme/urgency-b');
    hub.stage = 'RUNTIME_ERROR';
    hub.runtimeError = 'ModuleNotFoundError: No module named torch';
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(
      /the Space acme\/trainer is in RUNTIME_ERROR: ModuleNotFoundError: No module named torch/,
    );
    hub.runtimeError = null;
  }, 60_000);

  it('timeout and refit cancel pause the Space', async () => {
    const a = await started('acme/urgency-c', '2s');
    hub.stage = 'RUNNING';
    await new Promise((r) => setTimeout(r, 2200));
    const before = hub.count('POST', '/api/spaces/acme/trainer/pause');
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: a.dir });
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(/did not finish within 2 s and was cancelled/);
    expect(hub.count('POST', '/api/spaces/acme/trainer/pause')).toBe(before + 1);
    expect(hub.stage).toBe('PAUSED');

    hub.stage = 'RUNNING';
    const b = await started('acme/urgency-d');
    expect((await cli(['cancel', b.run.runId], { cwd: b.dir })).code).toBe(0);
    expect(hub.count('POST', '/api/spaces/acme/trainer/pause')).toBe(before + 2);
  }, 60_000);
});
