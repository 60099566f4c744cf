/**
 * `refit logs RUN|JOB [--follow]` and `GET /v1/runs/:id/logs[?follow=true]`: a training job's log
 * read from another process while the job runs — the lines arrive in pieces as they are written,
 * and the follow ends when the job does.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { startService } from '../src/service/service.js';
import { cli, project, spamExamples } from './helpers/project.js';
import { REFIT_BIN } from './helpers/spawn.js';

const READ = 'read-token-0123456789abcdef';
const TRAINER = 'for i in 1 2 3 4 5 6 7 8; do echo "epoch $i loss 0.$i"; sleep 0.4; done; echo diverged >&2; exit 1';
const CONFIG = `
retry: { attempts: 1 }
serve:
  tokens: [{ token: "${READ}", scopes: [read] }]
models:
  spam:
    labels: [ham, spam]
    train:
      executor: command
      command: ["/bin/sh", "-c", ${JSON.stringify(TRAINER)}]
      predict_command: ["/bin/true"]   # never reached: the trainer fails
`;
const examples = spamExamples(40);

describe('refit logs', () => {
  it('follows a training in another process, over the CLI and HTTP, until it ends', async () => {
    const dir = project(CONFIG, { 'e.ndjson': examples });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const q = await cli(['--json', 'run', '--force', 'spam', '--no-advance'], { cwd: dir });
    expect(q.code, q.stderr).toBe(0);
    const queued = JSON.parse(q.stdout);
    const runId = queued.outcomes[0].runId as string;
    expect(runId).toMatch(/^run_/);

    // Nothing trained yet: no log, said so.
    const early = await cli(['logs', runId], { cwd: dir });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`${runId} has no training log yet`);

    const app = await openApp({ cwd: dir, env: {} });
    const svc = await startService(app, { port: 0 });
    try {
      const worker = spawn(process.execPath, [REFIT_BIN, 'run', '--wait', '2m'], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => worker.on('close', r));
      const res = await fetch(`${svc.url}/v1/runs/${runId}/logs?follow=true`, {
        headers: { authorization: `Bearer ${READ}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const chunks: string[] = [];
      const decoder = new TextDecoder();
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(c));
      const streamed = chunks.join('');
      // In pieces while it ran, not one block at the end.
      expect(chunks.length).toBeGreaterThan(1);
      for (let i = 1; i <= 8; i++) expect(streamed).toContain(`epoch ${i} loss 0.${i}`);
      expect(streamed.indexOf('epoch 1')).toBeLessThan(streamed.indexOf('epoch 8'));
      expect(streamed).toContain('diverged');
      await exited;

      // Afterwards: the whole log by run id and by job id, from the CLI; the same over HTTP.
      const byRun = await cli(['logs', runId], { cwd: dir });
      expect(byRun.code, byRun.stderr).toBe(0);
      expect(byRun.stdout).toContain('epoch 8 loss 0.8');
      const job = (await cli(['--json', 'runs', 'show', runId], { cwd: dir })).stdout;
      const jobId = /train_\w+/.exec(job)?.[0];
      expect(jobId).toBeTruthy();
      expect((await cli(['logs', jobId!], { cwd: dir })).stdout).toBe(byRun.stdout);
      const followEnded = await cli(['logs', runId, '--follow'], { cwd: dir });
      expect(followEnded.stdout).toBe(byRun.stdout); // the job has ended: --follow returns at once
      const plain = await fetch(`${svc.url}/v1/runs/${runId}/logs`, { headers: { authorization: `Bearer ${READ}` } });
      expect((await plain.text()).trim()).toBe(byRun.stdout.trim());
      const missing = await fetch(`${svc.url}/v1/runs/run_nope/logs`, { headers: { authorization: `Bearer ${READ}` } });
      expect(missing.status).toBe(404);
    } finally {
      await svc.stop();
      await closeApp(app);
    }
    expect((await cli(['logs', 'train_nope'], { cwd: dir })).stderr).toContain('no training job train_nope');
  }, 60_000);
});
