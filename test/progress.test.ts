/**
 * Training progress on a terminal: `refit run --wait` draws a bar per running training job on
 * stderr from the job's stored log (any executor), and the built-in trainer writes the lines it
 * reads ("iteration N of at most M").
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { watchTrainingProgress } from '../src/cli/training-progress.js';
import { insertJob, updateJob } from '../src/stores/jobs.js';
import { cli, project, spamExamples } from './helpers/project.js';
import { until } from './helpers/until.js';

describe('training progress', () => {
  it('a terminal shows a bar per running job that follows its log', async () => {
    const dir = project('models:\n  spam: {}\n');
    const app = await openApp({ cwd: dir, env: {} });
    const tty = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let out = '';
    tty.on('data', (c) => (out += c));
    try {
      const job = { key: 'run_x', model: 'spam', executor: 'command', datasetTag: 'v1', params: {} };
      await insertJob(app.store, { id: 'train_x', ...job, codeVersion: null, startedMs: Date.now(), outputDir: dir });
      await updateJob(app.store, 'train_x', { logs: 'epoch 3/10 loss 0.5' });
      const watch = watchTrainingProgress(app, tty, []);
      expect(await until(() => /spam epoch .*3\/10/.test(out))).toBe(true);
      await updateJob(app.store, 'train_x', { logs: 'epoch 3/10 loss 0.5\nepoch 9/10 loss 0.1' });
      expect(await until(() => /spam epoch .*9\/10/.test(out))).toBe(true);
      await watch.stop();
    } finally {
      await closeApp(app);
    }
  });

  it("the built-in trainer's log says how far it is", async () => {
    const dir = project('models:\n  spam: {}\n', { 'e.ndjson': spamExamples(60) });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const run = JSON.parse((await cli(['run', '--force', 'spam', '--wait', '1m', '--json'], { cwd: dir })).stdout);
    const logs = await cli(['logs', run.runs[0].runId], { cwd: dir });
    expect(logs.stdout).toMatch(/iteration \d+ of at most 30: loss/);
  }, 60_000);
});
