/**
 * Drift statistics against Debian's scipy/numpy: statistics within 1e-6, p-values within 1e-4
 * (fixtures made by scripts/fixtures/drift_fixtures.py, which holds the Evidently formulas).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTest, type DriftMethod } from '../src/ml/drift/tests.js';

interface Case {
  name: string;
  kind: DriftMethod;
  numeric?: boolean;
  ref: (number | string)[];
  cur: (number | string)[];
  statistic: number;
  pvalue: number | null;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/drift-scipy.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

describe('drift statistics agree with scipy', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const numeric = c.numeric ?? (c.kind === 'ks' || c.kind === 'wasserstein');
    const r = runTest(c.kind, c.ref, c.cur, numeric);
    expect(Math.abs(r.statistic - c.statistic)).toBeLessThanOrEqual(1e-6);
    if (c.pvalue !== null) {
      expect(r.pvalue).not.toBeNull();
      expect(Math.abs(r.pvalue! - c.pvalue)).toBeLessThanOrEqual(1e-4);
    }
  });
});
