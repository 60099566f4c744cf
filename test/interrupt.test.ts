/**
 * Ctrl-C (SIGINT) in `refit run --wait` while a command trainer runs: the trainer's process group
 * is ended, the run is released (not left `running` for the whole lease, not failed), refit says
 * which run and step and that the next `refit run` resumes it, and exits 130; the next `refit run`
 * finishes the same run at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, project, spamExamples } from './helpers/project.js';
import { REFIT_BIN } from './helpers/spawn.js';

const PREDICT = fileURLToPath(new URL('./fixtures/keyword-model/predict.mjs', import.meta.url));

// A keyword-model trainer that hangs (after saying its pid) while the project holds a file "hang".
const TRAINER = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
if (existsSync('hang')) {
  writeFileSync('trainer.pid', String(process.pid));
  console.log('epoch 1 of 3');
  setInterval(() => console.log('still training'), 200);
} else {
  const counts = { ham: {}, spam: {} };
  for (const line of readFileSync(join(process.env.REFIT_DATASET_DIR, 'train.jsonl'), 'utf8').split('\\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    for (const w of String(r.input.text).toLowerCase().split(/\\W+/)) counts[r.label][w] = (counts[r.label][w] ?? 0) + 1;
  }
  const model = { format: 'keyword-counts/1', labels: ['ham', 'spam'], counts };
  writeFileSync(join(process.env.REFIT_OUTPUT_DIR, 'model.json'), JSON.stringify(model));
}
`;

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
    const config = `models:\n  spam:\n    labels: [ham, spam]\n    train:\n      executor: command\n      command: [node, trainer.mjs]\n      predict_command: [node, ${JSON.stringify(PREDICT)}]\n`;
    const dir = project(config, { 'e.ndjson': spamExamples(60), 'trainer.mjs': TRAINER, hang: '' });
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
    for (let i = 0; i < 300 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    const trainer = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(trainer)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(
      /interrupted: run (run_\w+) of spam stopped at step train and was released; the next `refit run` resumes it from that step/,
    );
    const runId = /run (run_\w+) of spam/.exec(stderr)![1]!;
    for (let i = 0; i < 50 && alive(trainer); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(trainer)).toBe(false);
    const shown = JSON.parse((await cli(['runs', 'show', runId, '--json'], { cwd: dir })).stdout);
    expect(shown).toMatchObject({ state: 'queued', outcome: expect.stringMatching(/interrupted at step train/) });

    rmSync(join(dir, 'hang'));
    const t0 = Date.now();
    const next = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).runs[0]).toMatchObject({ runId, state: 'succeeded' });
    expect(Date.now() - t0).toBeLessThan(30_000); // not after the 5-minute lease
  }, 90_000);
});
