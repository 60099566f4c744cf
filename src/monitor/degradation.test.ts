import { describe, expect, it } from 'vitest';
import { testDegradation } from './degradation.js';

const opts = { margin: 0.02, alpha: 0.01, minSamples: 200 };

describe('degradation test', () => {
  it('waits for enough samples on both sides', () => {
    const v = testDegradation({ version: 2, n: 150, correct: 60 }, { version: 1, n: 1000, correct: 950 }, opts);
    expect(v).toMatchObject({ decided: false, degraded: false });
    expect(v.reason).toMatch(/waiting for 200/);
  });

  it('flags a clear drop beyond the margin, with the z statistic of the unpooled test', () => {
    const v = testDegradation({ version: 2, n: 400, correct: 320 }, { version: 1, n: 1000, correct: 950 }, opts);
    // drop 0.15; se = sqrt(.95*.05/1000 + .8*.2/400) = 0.021071...
    const se = Math.sqrt((0.95 * 0.05) / 1000 + (0.8 * 0.2) / 400);
    expect(v.z).toBeCloseTo((0.15 - 0.02) / se, 10);
    expect(v.degraded).toBe(true);
    expect(v.reason).toMatch(/degraded: drop 0.1500 > margin 0.02/);
  });

  it('does not flag a drop within the margin or one that is not significant', () => {
    expect(
      testDegradation({ version: 2, n: 1000, correct: 940 }, { version: 1, n: 1000, correct: 950 }, opts).degraded,
    ).toBe(false);
    // drop 0.05 on 200 samples each: z = 0.03 / 0.0349 ≈ 0.86, not significant at 0.01.
    const v = testDegradation({ version: 2, n: 200, correct: 180 }, { version: 1, n: 200, correct: 190 }, opts);
    expect(v.decided).toBe(true);
    expect(v.degraded).toBe(false);
    // An improvement never counts.
    expect(
      testDegradation({ version: 2, n: 1000, correct: 990 }, { version: 1, n: 1000, correct: 900 }, opts).degraded,
    ).toBe(false);
  });

  it('p-value matches the normal survival function (scipy.stats.norm.sf(2.326348) = 0.01)', () => {
    // Construct counts with z ≈ 2.3263: the p-value sits at alpha.
    const v = testDegradation(
      { version: 2, n: 10000, correct: 8000 },
      { version: 1, n: 10000, correct: 8400 },
      { margin: 0.02 + 0, alpha: 0.01, minSamples: 10 },
    );
    const se = Math.sqrt((0.84 * 0.16) / 10000 + (0.8 * 0.2) / 10000);
    expect(v.z).toBeCloseTo(0.02 / se, 10);
    expect(v.pValue).toBeCloseTo(0.5 * (1 - erf(v.z! / Math.SQRT2)), 6);
  });
});

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse; integrate numerically instead (Simpson, 2000 steps).
  const n = 2000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * h * s) / 3;
}
