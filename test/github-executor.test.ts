/**
 * The GitHub workflow executor against a local server shaped like the Actions REST API: dispatch
 * with the run id as correlation id in run-name, the run found and polled while the refit run is
 * parked, its artifact (a zip behind a redirect) becomes the candidate; a failed conclusion fails
 * the run; a timeout or `refit cancel` cancels the workflow run; a second submit for one key
 * finds the first dispatch instead of starting another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/ports/clock.js';
import { githubWorkflowExecutor } from '../src/executors/github-workflow.js';
import { cli, project } from './helpers/project.js';
import { FakeActions } from './helpers/fake-actions.js';

let gh: FakeActions;
const rows = Array.from({ length: 60 }, (_, i) => ({
  input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
  label: i % 2 ? 'high' : 'low',
}));
beforeAll(async () => {
  gh = await new FakeActions().start();
  gh.rows = rows;
});
afterAll(async () => gh.stop());

const examples = rows
  .map((r, i) => JSON.stringify({ type: 'example', id: `e${i}`, model: 'urgency', ...r }))
  .join('\n');
const config = (timeout = '10m') => `
github_api_url: ${gh.url}
retry: { attempts: 1 }
models:
  urgency:
    labels: [low, high]
    train:
      executor: github
      timeout: ${timeout}
      github: { repo: acme/models, workflow: train.yml, token: "${gh.token}", poll: 1s, inputs: { gpu: a10 } }
`;

async function started(timeout?: string) {
  const dir = project(config(timeout), { 'e.ndjson': examples });
  await cli(['ingest', 'e.ndjson'], { cwd: dir });
  const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
  return { dir, run: JSON.parse(r.stdout).runs[0] as { runId: string; state: string; outcome: string } };
}

describe('GitHub workflow executor', () => {
  it('dispatches with the correlation id, follows the run, takes its artifact as the candidate', async () => {
    gh.mode = 'success';
    const { dir, run } = await started();
    expect(run).toMatchObject({ state: 'waiting', outcome: 'remote github job submitted' });
    const dispatched = gh.runs.find((r) => r.inputs.refit_key === run.runId)!;
    expect(dispatched.inputs).toMatchObject({
      gpu: 'a10',
      refit_model: 'urgency',
      refit_dataset: expect.stringMatching(/^v\d{8}_\d{6}$/),
    });
    const done = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(done.code, done.stdout).toBe(0);
    expect(JSON.parse(done.stdout).runs[0]).toMatchObject({ runId: run.runId, state: 'succeeded' });
    const v = JSON.parse((await cli(['models', 'show', 'urgency', '1', '--json'], { cwd: dir })).stdout);
    expect(v.lineage).toMatchObject({ executor: 'github' });
    expect(v.metrics.accuracy).toBeGreaterThan(0.9);
  }, 60_000);

  it('a failed workflow fails the run with the run link', async () => {
    gh.mode = 'failure';
    const { dir } = await started();
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(
      /workflow run https:\/\/github\.com\/acme\/models\/actions\/runs\/\d+ concluded failure/,
    );
  }, 60_000);

  it('timeout and refit cancel cancel the workflow run', async () => {
    gh.mode = 'hang';
    const a = await started('2s');
    await cli(['run', '--json'], { cwd: a.dir }); // finds the run
    await new Promise((r) => setTimeout(r, 2200));
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: a.dir });
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(/did not finish within 2 s and was cancelled/);
    const ra = gh.runs.find((x) => x.inputs.refit_key === a.run.runId)!;
    expect(ra).toMatchObject({ status: 'completed', conclusion: 'cancelled' });

    const b = await started();
    expect((await cli(['cancel', b.run.runId], { cwd: b.dir })).code).toBe(0);
    expect(gh.runs.find((x) => x.inputs.refit_key === b.run.runId)).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
    });
  }, 60_000);

  it('submitting twice for one key dispatches once', async () => {
    const ex = githubWorkflowExecutor(
      gh.url,
      { repo: 'acme/models', workflow: 'train.yml', ref: 'main', token: gh.token, artifact: 'model', inputs: {} },
      new ManualClock(Date.now()),
    );
    const before = gh.dispatches;
    const job = {
      key: 'run_same_key_1',
      model: 'urgency',
      task: 'text-classification',
      params: {},
      datasetDir: '/nonexistent',
      datasetTag: 'v1',
    };
    await ex.submit(job);
    const again = await ex.submit(job);
    expect(gh.dispatches - before).toBe(1);
    expect(again.runId).toBe(gh.runs.find((r) => r.inputs.refit_key === 'run_same_key_1')!.id);
  });
});
