/**
 * PostgreSQL restarted (immediate shutdown: every connection dropped) while `refit run --wait` is
 * training: a server of this test's own, so the suite's shared one is untouched. The run finishes
 * once the database is back — one registered version, one promotion — and refit does not crash
 * on the dropped connections.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, keywordTrain, project, spamExamples } from './helpers/project.js';
import { REFIT_BIN } from './helpers/spawn.js';
import { until } from './helpers/until.js';

const BIN = '/usr/lib/postgresql/15/bin';
const SCRIPT = fileURLToPath(new URL('../scripts/start-test-postgres.sh', import.meta.url));
const runnable = existsSync(`${BIN}/pg_ctl`) && (process.getuid?.() === 0 || process.env.USER === 'postgres');
const DIR = `/tmp/refit-pg-restart-${process.pid}`;
const PORT = String(56000 + (process.pid % 2000));
let url = '';

const asPostgres = (cmd: string) =>
  process.getuid?.() === 0
    ? execFileSync('su', ['postgres', '-s', '/bin/bash', '-c', cmd], { stdio: 'pipe' })
    : execFileSync('bash', ['-c', cmd], { stdio: 'pipe' });

beforeAll(() => {
  if (!runnable) return;
  const out = execFileSync('bash', [SCRIPT], {
    env: { ...process.env, REFIT_TEST_PG_DIR: DIR, REFIT_TEST_PG_PORT: PORT },
  });
  url = /REFIT_TEST_PG_URL=(\S+)/.exec(out.toString())![1]!;
  // A committed transaction must survive the restart, as on any real server (the suite's shared
  // server trades that for speed).
  appendFileSync(`${DIR}/postgresql.conf`, 'synchronous_commit = on\nfsync = on\n');
  asPostgres(`${BIN}/pg_ctl -D ${DIR} -w restart -l ${DIR}/server.log`);
}, 60_000);
afterAll(() => {
  if (!runnable) return;
  try {
    asPostgres(`${BIN}/pg_ctl -D ${DIR} -m immediate stop`);
  } catch {
    /* already stopped */
  }
  rmSync(DIR, { recursive: true, force: true });
});

describe.skipIf(!runnable && !process.env.CI)('PostgreSQL restarted mid-run', () => {
  it('the run finishes once the database is back: one version, one promotion, no crash', async () => {
    const db = `refit_restart_${process.pid}`;
    execFileSync('psql', [url, '-qc', `CREATE DATABASE ${db}`]);
    const store = url.replace(/\/postgres$/, `/${db}`);
    const config = `store: ${store}\nmodels:\n  spam:\n    labels: [ham, spam]\n${keywordTrain()}`;
    const dir = project(config, { 'e.ndjson': spamExamples(60), hold: '' });
    expect((await cli(['ingest', 'e.ndjson'], { cwd: dir })).code).toBe(0);
    const child = spawn(process.execPath, [REFIT_BIN, 'run', '--force', 'spam', '--wait', '2m', '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    expect(await until(() => existsSync(join(dir, 'trainer.pid')), 30_000)).toBe(true);
    asPostgres(`${BIN}/pg_ctl -D ${DIR} -m immediate -w restart -l ${DIR}/server.log`);
    rmSync(join(dir, 'hold'));
    const code = await exited;
    expect(stderr).not.toMatch(/unexpected error|\n\s+at .*:\d+:\d+/);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout).runs[0]).toMatchObject({ state: 'succeeded' });
    const versions = JSON.parse((await cli(['models', 'spam', '--json'], { cwd: dir })).stdout);
    expect(versions).toHaveLength(1);
    expect(readFileSync(join(dir, 'trainer.pid'), 'utf8')).not.toBe('');
  }, 120_000);
});
