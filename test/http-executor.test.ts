/**
 * The HTTP job executor against a real local job API: the run parks while the remote job runs and
 * resumes to collect, evaluate, register and deploy its model; the submission is signed and
 * idempotent by the run id; a remote failure fails the run with the remote's message; a job past
 * the training timeout and a cancelled run both cancel the remote job — nothing is left running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, project } from './helpers/project.js';
import { JobApi } from './helpers/job-api.js';

let api: JobApi;
beforeAll(async () => {
  api = await new JobApi().start();
});
afterAll(async () => api.stop());

const examples = Array.from({ length: 60 }, (_, i) =>
  JSON.stringify({
    type: 'example',
    id: `e${i}`,
    model: 'urgency',
    input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
    label: i % 2 ? 'high' : 'low',
  }),
).join('\n');
const config = (timeout = '10m') => `
retry: { attempts: 1 }
models:
  urgency:
    labels: [low, high]
    train:
      executor: http
      timeout: ${timeout}
      http: { url: "${api.url}/jobs", secret: "${api.secret}", token: "${api.token}", poll: 1s }
`;

async function started(timeout?: string) {
  const dir = project(config(timeout), { 'e.ndjson': examples });
  await cli(['ingest', 'e.ndjson'], { cwd: dir });
  const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
  return { dir, run: JSON.parse(r.stdout).runs[0] as { runId: string; state: string; outcome: string } };
}

describe('HTTP job executor', () => {
  it('parks while the remote job runs, then collects its model and finishes the loop; submitted once, signed', async () => {
    api.mode = 'ok';
    const before = api.jobs.length;
    const { dir, run } = await started();
    expect(run).toMatchObject({ state: 'waiting', outcome: expect.stringMatching(/^remote http job submitted$/) });
    const done = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(done.code, done.stdout).toBe(0);
    expect(JSON.parse(done.stdout).runs[0]).toMatchObject({ runId: run.runId, state: 'succeeded' });
    const jobs = api.jobs.slice(before);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ key: run.runId, state: 'succeeded', signatureOk: true });
    const v = JSON.parse((await cli(['models', 'show', 'urgency', '1', '--json'], { cwd: dir })).stdout);
    expect(v.lineage).toMatchObject({ executor: 'http', run: run.runId });
    expect(v.metrics.accuracy).toBeGreaterThan(0.9);
  }, 60_000);

  it('a failed remote job fails the run with its message', async () => {
    api.mode = 'fail';
    const { dir } = await started();
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).runs[0].outcome).toMatch(/the remote job job-\d+ failed: CUDA out of memory/);
  }, 60_000);

  it('past the training timeout the remote job is cancelled and the run fails', async () => {
    api.mode = 'hang';
    const { dir, run } = await started('2s');
    await new Promise((r) => setTimeout(r, 2200));
    const r = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({
      runId: run.runId,
      state: 'failed',
      outcome: expect.stringMatching(/did not finish within 2 s and was cancelled/),
    });
    const job = api.jobs.find((j) => j.key === run.runId)!;
    expect(api.cancels).toContain(job.id);
    expect(job.state).toBe('cancelled');
  }, 60_000);

  it('refit cancel cancels the remote job of the run', async () => {
    api.mode = 'hang';
    const { dir, run } = await started();
    const c = await cli(['cancel', run.runId], { cwd: dir });
    expect(c.code, c.stderr).toBe(0);
    const job = api.jobs.find((j) => j.key === run.runId)!;
    expect(job.state).toBe('cancelled');
    expect(api.cancels).toContain(job.id);
  }, 60_000);
});
