/**
 * A write the database acknowledged and then lost (PostgreSQL with synchronous_commit = off
 * after a crash, a restore from an older backup), made deterministic: the training job's row is
 * deleted while the trainer runs. The step fails with a STORE error that says what was lost and
 * why it can happen, is run again, and the run ends with one version — instead of crashing on a
 * null ("Cannot read properties of null").
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, keywordTrain, project, spamExamples } from './helpers/project.js';
import { until } from './helpers/until.js';

describe('an acknowledged write the database lost', () => {
  it('a training job row gone when the trainer finishes: the step says so and runs again; one version', async () => {
    const config =
      `retry: { attempts: 3, backoff: 1s }\n` + `models:\n  spam:\n    labels: [ham, spam]\n${keywordTrain()}`;
    const dir = project(config, { 'e.ndjson': spamExamples(60), hold: '' });
    expect((await cli(['ingest', 'e.ndjson'], { cwd: dir })).code).toBe(0);

    const running = cli(['run', '--force', 'spam', '--wait', '1m', '--json'], { cwd: dir });
    await until(() => existsSync(join(dir, 'trainer.pid')), 30_000);
    const db = new Database(join(dir, '.refit', 'refit.db'));
    try {
      expect(db.prepare('delete from training_jobs').run().changes).toBe(1);
    } finally {
      db.close();
    }
    rmSync(join(dir, 'hold'));
    const res = await running;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/Cannot read properties|unexpected error/);
    const [run] = JSON.parse(res.stdout).runs as { runId: string; state: string }[];
    expect(run!.state).toBe('succeeded');
    expect(res.stderr).toMatch(
      /step train failed \(attempt 1 of 3\): training job train_\w+ is missing from the store although its write was acknowledged/,
    );
    const versions = JSON.parse((await cli(['models', 'spam', '--json'], { cwd: dir })).stdout);
    expect(versions).toHaveLength(1);
  }, 60_000);
});
