/** `refit drift` on CSV and NDJSON files: method choice, verdicts, overrides, text columns, errors. */
import { describe, expect, it } from 'vitest';
import { cli, ndjson, project } from './helpers/project.js';

function csv(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0]!);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c])).join(','))].join('\n') + '\n';
}

// Deterministic pseudo-random numbers (LCG) so the test data is fixed.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('refit drift', () => {
  const rnd = lcg(7);
  const ref = Array.from({ length: 400 }, (_, i) => ({
    temp: +(10 + rnd() * 10).toFixed(2),
    wind: +(rnd() * 5).toFixed(2),
    weather: ['sun', 'rain', 'fog'][i % 3],
    rainy: i % 4 === 0 ? 'yes' : 'no',
  }));
  const cur = Array.from({ length: 300 }, (_, i) => ({
    temp: +(15 + rnd() * 10).toFixed(2),
    wind: +(rnd() * 5).toFixed(2),
    weather: ['sun', 'rain', 'fog', 'sun'][i % 4],
    rainy: i % 4 === 0 ? 'yes' : 'no',
  }));

  it('picks Evidently defaults per column and gives the dataset verdict', async () => {
    const dir = project('models: {x: {}}\n', { 'ref.csv': csv(ref), 'cur.ndjson': ndjson(cur) });
    const r = await cli(['drift', '--reference', 'ref.csv', '--current', 'cur.ndjson', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const by = Object.fromEntries(report.columns.map((c: { column: string }) => [c.column, c]));
    expect(by.temp).toMatchObject({ kind: 'numeric', method: 'ks', drift: true, threshold: 0.05 });
    expect(by.wind).toMatchObject({ kind: 'numeric', method: 'ks', drift: false });
    expect(by.weather).toMatchObject({ kind: 'categorical', method: 'chisquare' });
    expect(by.rainy).toMatchObject({ kind: 'categorical', method: 'z', drift: false });
    expect(report.testedColumns).toBe(4);
    expect(report.datasetDrift).toBe(report.driftShare >= 0.5);
    const human = await cli(
      ['drift', '--reference', 'ref.csv', '--current', 'cur.ndjson', '--method', 'temp=psi', '--threshold', 'temp=5'],
      { cwd: dir },
    );
    expect(human.stdout).toMatch(/temp\s+│ numeric\s+│ psi/);
    expect(human.stdout).toMatch(/of 4 columns drifted/);
    const fail = await cli(
      ['drift', '--reference', 'ref.csv', '--current', 'cur.ndjson', '--columns', 'temp', '--fail-on-drift'],
      { cwd: dir },
    );
    expect(fail.code).toBe(1);
  });

  it('text columns: token JS distance, OOV rate and embedding cosine', async () => {
    const HAM = [
      'invoice for your order attached',
      'meeting moved to thursday afternoon',
      'please review the quarterly report',
      'team lunch on friday at noon',
    ];
    const a = Array.from({ length: 80 }, (_, i) => ({ text: HAM[i % 4] }));
    const a2 = Array.from({ length: 60 }, (_, i) => ({ text: HAM[(i * 3) % 4] }));
    const b = Array.from({ length: 50 }, (_, i) => ({ text: `you won a free cruise ${i} claim your prize now` }));
    const dir = project('models: {x: {}}\n', { 'a.ndjson': ndjson(a), 'b.ndjson': ndjson(b), 'a2.ndjson': ndjson(a2) });
    const drifted = JSON.parse(
      (await cli(['drift', '--reference', 'a.ndjson', '--current', 'b.ndjson', '--json'], { cwd: dir })).stdout,
    ).columns[0];
    expect(drifted).toMatchObject({ kind: 'text', method: 'text', drift: true });
    expect(drifted.text.oovRate).toBeGreaterThan(0.8);
    expect(drifted.text.embeddingCosine).toBeLessThan(0.2);
    const same = JSON.parse(
      (await cli(['drift', '--reference', 'a.ndjson', '--current', 'a2.ndjson', '--json'], { cwd: dir })).stdout,
    ).columns[0];
    expect(same.drift).toBe(false);
    expect(same.text.embeddingCosine).toBeGreaterThan(0.95);
  });

  it('bad usage exits 2 with a reason', async () => {
    const dir = project('models: {x: {}}\n', { 'a.csv': 'x\n1\n' });
    const r = await cli(['drift', '--reference', 'a.csv', '--current', 'a.csv', '--method', 'x=magic'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--method expects COLUMN=METHOD');
    const missing = await cli(['drift', '--reference', 'nope.csv', '--current', 'a.csv'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });
});
