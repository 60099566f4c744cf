/**
 * Ctrl-C (SIGINT) in `refit run --wait` while a command trainer runs: the trainer's process group
 * is ended, the run is released (not left `running` for the whole lease, not failed), refit says
 * which run and step and that the next `refit run` resumes it, and exits 130; the next `refit run`
 * finishes the same run at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, keywordTrain, project, spamExamples } from './helpers/project.js';
import { until } from './helpers/until.js';
import { REFIT_BIN } from './helpers/spawn.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('interrupting refit run', () => {
  it('Ctrl-C ends the trainer, releases the run with what happens next, exits 130; the next run resumes it', async () => {
    const config = `models:\n  spam:\n    labels: [ham, spam]\n${keywordTrain()}`;
    const dir = project(config, { 'e.ndjson': spamExamples(60), hold: '' });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const child = spawn(process.execPath, [REFIT_BIN, 'run', '--force', 'spam', '--wait', '2m'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    const pidFile = join(dir, 'trainer.pid');
    await until(() => existsSync(pidFile), 30_000);
    const trainer = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(trainer)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(
      /interrupted: run (run_\w+) of spam stopped at step train and was released; the next `refit run` resumes it from that step/,
    );
    const runId = /run (run_\w+) of spam/.exec(stderr)![1]!;
    await until(() => !alive(trainer), 5000);
    expect(alive(trainer)).toBe(false);
    const shown = JSON.parse((await cli(['runs', 'show', runId, '--json'], { cwd: dir })).stdout);
    expect(shown).toMatchObject({ state: 'queued', outcome: expect.stringMatching(/interrupted at step train/) });

    rmSync(join(dir, 'hold'));
    const t0 = Date.now();
    const next = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).runs[0]).toMatchObject({ runId, state: 'succeeded' });
    expect(Date.now() - t0).toBeLessThan(30_000); // not after the 5-minute lease
  }, 90_000);
});
