/**
 * Cancel and crash reach the training command wherever it runs: `refit cancel` from another
 * process stops a running training (its whole process group, grandchildren included) and the run
 * ends cancelled; after refit itself is SIGKILLed mid-training, the next attempt ends the orphaned
 * process group before it trains again. No process is left behind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { project } from './helpers/project.js';
import { REFIT_BIN, refit } from './helpers/spawn.js';

const examples = Array.from({ length: 40 }, (_, i) =>
  JSON.stringify({
    type: 'example',
    id: `e${i}`,
    model: 'spam',
    input: { text: `t ${i % 2 ? 'a' : 'b'} ${i}` },
    label: i % 2 ? 'x' : 'y',
  }),
).join('\n');
// The trainer forks a grandchild that would run for a minute; both write their pids.
const SLOW = `["/bin/sh", "-c", "sleep 60 & echo $! > grandchild.pid; echo $$ > trainer.pid; wait"]`;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};
const config = `lease: 1s
retry: { attempts: 1 }
models:
  spam:
    train:
      executor: command
      command: ${SLOW}
      predict_command: ["/bin/true"]
      timeout: 10m
`;

describe('cancel and crash reach the training command', () => {
  it('refit cancel from another process kills the running command group; the run ends cancelled', async () => {
    const dir = project(config, { 'e.ndjson': examples });
    await refit(['ingest', 'e.ndjson'], { cwd: dir });
    const running = refit(['run', '--force', 'spam', '--json'], { cwd: dir });
    await until(() => existsSync(join(dir, 'grandchild.pid')) && existsSync(join(dir, 'trainer.pid')));
    const trainer = Number(readFileSync(join(dir, 'trainer.pid'), 'utf8'));
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    expect(alive(grandchild)).toBe(true);
    const runs = JSON.parse((await refit(['runs', '--json'], { cwd: dir })).stdout);
    const c = await refit(['cancel', runs[0].id, '--reason', 'wrong dataset'], { cwd: dir });
    expect(c.code, c.stderr).toBe(0);
    const r = await running;
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({
      state: 'cancelled',
      outcome: expect.stringMatching(/^cancelled by /),
    });
    await until(() => !alive(trainer) && !alive(grandchild), 5000);
    const after = JSON.parse((await refit(['runs', '--json'], { cwd: dir })).stdout);
    expect(after[0]).toMatchObject({ state: 'cancelled', outcome: expect.stringContaining('wrong dataset') });
  }, 60_000);

  it('after refit is SIGKILLed mid-training, the next attempt ends the orphaned group first', async () => {
    const dir = project(config, { 'e.ndjson': examples });
    await refit(['ingest', 'e.ndjson'], { cwd: dir });
    const child = spawn(process.execPath, [REFIT_BIN, 'run', '--force', 'spam'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: 'ignore',
    });
    await until(() => existsSync(join(dir, 'grandchild.pid')) && existsSync(join(dir, 'trainer.pid')));
    await new Promise((r) => setTimeout(r, 300)); // the job row has its worker recorded
    child.kill('SIGKILL');
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    expect(alive(grandchild)).toBe(true); // orphaned: refit is gone, its command is not
    await new Promise((r) => setTimeout(r, 1100)); // the lease expires
    // The resumed attempt ends the orphan before starting again; cancel that new attempt at once.
    const resumed = refit(['run', '--json'], { cwd: dir });
    await until(() => !alive(grandchild), 15_000);
    const runs = JSON.parse((await refit(['runs', '--json'], { cwd: dir })).stdout);
    await refit(['cancel', runs[0].id], { cwd: dir });
    await resumed;
    await until(() => !alive(Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'))), 5000);
  }, 60_000);
});
