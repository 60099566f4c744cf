/**
 * Every task type completes a run from CSV: a tabular-regression line (continuous labels are split
 * as one group, so the test split is not empty) and a tabular-classification line; numeric CSV
 * cells are stored as numbers, empty ones as missing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, project } from './helpers/project.js';

function csv(model: string, n: number, label: (x: number, z: number, i: number) => string): string {
  const rows = ['type,id,model,input.x,input.z,input.note,label'];
  for (let i = 0; i < n; i++) {
    const x = (i % 37) / 4;
    const z = (i * 7) % 11;
    rows.push(['example', `r${i}`, model, x, z, i % 9 === 0 ? '' : 'n', label(x, z, i)].join(','));
  }
  return rows.join('\n') + '\n';
}

async function runLine(config: string, data: string) {
  const dir = project(config, { 'ex.csv': data });
  const ingest = await cli(['ingest', 'ex.csv'], { cwd: dir });
  expect(ingest.code, ingest.stderr).toBe(0);
  const r = await cli(['run', '--force', 'm', '--wait', '2m', '--json'], { cwd: dir });
  return { dir, r, run: JSON.parse(r.stdout).runs[0] };
}

describe('every task type completes a run', () => {
  it('tabular-regression from CSV: a non-empty test split, numbers stored as numbers, rmse and r2', async () => {
    const data = csv('m', 200, (x, z, i) => (3 * x + z + 0.05 * (i % 3)).toFixed(3));
    const { dir, r, run } = await runLine('models:\n  m:\n    task: tabular-regression\n', data);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(run).toMatchObject({ state: 'succeeded' });
    const root = join(dir, '.refit', 'artifacts', 'datasets', 'm');
    const version = join(root, readdirSync(root)[0]!);
    const test = readFileSync(join(version, 'test.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(test.length).toBeGreaterThan(10);
    const first = JSON.parse(readFileSync(join(version, 'train.jsonl'), 'utf8').split('\n')[0]!);
    expect(typeof first.input.x).toBe('number');
    const v = JSON.parse((await cli(['models', 'show', 'm', '1', '--json'], { cwd: dir })).stdout);
    expect(v.metrics.rmse).toBeLessThan(0.5);
    expect(v.metrics.r2).toBeGreaterThan(0.95);
  }, 120_000);

  it('tabular-classification from CSV', async () => {
    const data = csv('m', 200, (x, z) => (x + z > 9 ? 'high' : 'low'));
    const { r, run } = await runLine(
      'models:\n  m:\n    task: tabular-classification\n    labels: [low, high]\n',
      data,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(run).toMatchObject({ state: 'succeeded' });
  }, 120_000);
});
