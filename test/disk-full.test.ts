/**
 * The artifact directory on a disk that fills up (a small tmpfs of the test's own; the test needs
 * root to mount it and is skipped, saying so, without): a dataset version or a model artifact
 * that does not fit fails its step with what was being written, where, how much is free and what
 * to do; nothing half-written is left to take more space; once space is freed the same run
 * resumes and ends with one dataset version and one model version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, keywordTrain, project, spamExamples } from './helpers/project.js';
import { tempDir } from './helpers/stores.js';

const mounted: string[] = [];

function tmpfs(size: string): string | null {
  const dir = tempDir('refit-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounted.push(dir);
  return dir;
}

const canMount = (() => {
  const probe = tmpfs('16k');
  if (probe) (execFileSync('umount', [probe]), mounted.pop());
  return probe !== null;
})();
if (!canMount) console.warn('disk-full tests skipped: mounting a tmpfs needs root');

afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', ['-l', dir]);
});

/** Every path under `dir`, relative. */
const tree = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split('\\').join('/'))
    .sort();

const grow = (dir: string) => execFileSync('mount', ['-o', 'remount,size=16m', dir]);

async function runOnce(dir: string) {
  const res = await cli(['run', '--json'], { cwd: dir });
  return JSON.parse(res.stdout).runs as { runId: string; state: string; outcome: string }[];
}

describe.skipIf(!canMount)('the artifact directory runs out of space', () => {
  it('a dataset version that does not fit: a clear failure, no partial files, the run resumes once space is freed', async () => {
    const disk = tmpfs('48k')!;
    const art = join(disk, 'art');
    const rows = Array.from({ length: 400 }, (_, i) => ({
      type: 'example',
      id: `e${i}`,
      model: 'spam',
      input: { text: `${i % 2 ? 'free prize now' : 'meeting notes'} ${i} lorem ipsum dolor sit amet consectetur` },
      label: i % 2 ? 'spam' : 'ham',
    }));
    const config = `artifacts: file:${art}\nretry: { attempts: 3, backoff: 1s }\nmodels:\n  spam:\n    labels: [ham, spam]\n`;
    const dir = project(config, { 'e.ndjson': rows.map((r) => JSON.stringify(r)).join('\n') + '\n' });
    expect((await cli(['ingest', 'e.ndjson'], { cwd: dir })).code).toBe(0);

    const started = await cli(['run', '--force', 'spam', '--json'], { cwd: dir });
    const [run] = JSON.parse(started.stdout).runs as { runId: string; state: string; outcome: string }[];
    expect(run).toMatchObject({ state: 'waiting' });
    expect(run!.outcome).toMatch(
      new RegExp(
        `step prepare failed \\(attempt 1 of 3\\): no space left on the disk of ${art} while writing dataset ` +
          'version spam/v\\d+_\\d+ \\(ENOSPC, [\\d.]+ (B|KiB) free\\): free space there or point `artifacts:` at a ' +
          'larger disk; retrying in 1 s',
      ),
    );
    expect(tree(disk).filter((p) => p.includes('.tmp-'))).toEqual([]);
    const shown = JSON.parse((await cli(['runs', 'show', run!.runId, '--json'], { cwd: dir })).stdout);
    expect(shown.outcome).toContain('no space left on the disk of');

    grow(disk);
    await new Promise((r) => setTimeout(r, 1100));
    const [after] = await runOnce(dir);
    expect(after, JSON.stringify(after)).toMatchObject({ runId: run!.runId, state: 'succeeded' });
    const versions = readdirSync(join(art, 'datasets', 'spam'));
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatch(/^v\d+_\d+$/);
    expect(readdirSync(join(art, 'models', 'spam'))).toEqual(['v1']);
  }, 60_000);

  it('a trainer, then a model artifact, that do not fit: each failure says so; the run resumes and registers once', async () => {
    const disk = tmpfs('256k')!;
    const art = join(disk, 'art');
    const config =
      `artifacts: file:${art}\nretry: { attempts: 3, backoff: 1s }\n` +
      `models:\n  spam:\n    labels: [ham, spam]\n${keywordTrain()}`;
    const dir = project(config, { 'e.ndjson': spamExamples(60), pad: String(400 * 1024) });
    expect((await cli(['ingest', 'e.ndjson'], { cwd: dir })).code).toBe(0);

    // The trainer's own write fails: its error, and that its disk is full.
    const started = await cli(['run', '--force', 'spam', '--json'], { cwd: dir });
    const [run] = JSON.parse(started.stdout).runs as { runId: string; state: string; outcome: string }[];
    expect(run!.state, run!.outcome).toBe('waiting');
    expect(run!.outcome).toMatch(
      /step train failed \(attempt 1 of 3\): training \w+ of spam failed: node exited with 1/,
    );
    expect(run!.outcome).toMatch(
      /its log shows the disk of \S+ is full \([\d.]+ (B|KiB) free\): free space there or point `artifacts:` at a larger disk/,
    );

    // The model fits once, not twice: the trainer's output fits, its copy into the registry does not.
    writeFileSync(join(dir, 'pad'), String(150 * 1024));
    await new Promise((r) => setTimeout(r, 1100));
    const [second] = await runOnce(dir);
    expect(second!.state, second!.outcome).toBe('waiting');
    expect(second!.outcome).toMatch(/step register failed \(attempt 1 of 3\): no space left on the disk of /);
    expect(second!.outcome).toContain('while storing the artifact of spam v1');
    expect(existsSync(join(art, 'models', 'spam', 'v1'))).toBe(false);

    grow(disk);
    await new Promise((r) => setTimeout(r, 1100));
    const [after] = await runOnce(dir);
    expect(after, JSON.stringify(after)).toMatchObject({ runId: run!.runId, state: 'succeeded' });
    expect(readdirSync(join(art, 'models', 'spam'))).toEqual(['v1']);
    expect(readdirSync(join(art, 'datasets', 'spam'))).toHaveLength(1);
    const versions = JSON.parse((await cli(['models', 'spam', '--json'], { cwd: dir })).stdout);
    expect(versions).toHaveLength(1);
  }, 90_000);

  it('the SQLite store on a full disk: opening and ingesting fail with where and what to do; nothing half-applied', async () => {
    const disk = tmpfs('160k')!;
    const url = `sqlite:${join(disk, 'refit.db')}`;
    const rows = Array.from({ length: 4000 }, (_, i) => ({
      type: 'example',
      id: `f${i}`,
      model: 'spam',
      input: { text: `${'x'.repeat(200)} ${i}` },
      label: i % 2 ? 'spam' : 'ham',
    }));
    const dir = project(`models:\n  spam:\n    labels: [ham, spam]\n`, {
      'big.ndjson': rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    });
    // The migrations do not fit: a clear error, and (being one transaction) no half-made schema.
    const opened = await cli(['--store', url, 'status'], { cwd: dir });
    expect(opened.code).toBe(1);
    expect(opened.stderr).toMatch(/cannot open the store at sqlite:\S+: database or disk is full; [\d.]+ (B|KiB) free/);
    expect(opened.stderr).not.toMatch(/\n\s+at /);

    execFileSync('mount', ['-o', 'remount,size=600k', disk]);
    const status = await cli(['--store', url, 'status', '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);

    const ingest = await cli(['--store', url, 'ingest', 'big.ndjson'], { cwd: dir });
    expect(ingest.code).toBe(1);
    expect(ingest.stderr).toMatch(
      /no space left on the disk of \S+refit\.db while writing to the store \(nothing of the failed write was committed\) \(SQLITE_FULL, [\d.]+ (B|KiB) free\): free space there or point `store:` at a larger disk/,
    );
    expect(ingest.stderr).not.toMatch(/\n\s+at |unexpected error/);

    grow(disk);
    const again = await cli(['--store', url, 'ingest', 'big.ndjson', '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.accepted + summary.duplicates).toBe(4000);
    expect(summary.rejected).toBe(0);
  }, 60_000);
});
