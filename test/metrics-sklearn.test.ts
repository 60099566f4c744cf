/** Metrics against Debian's scikit-learn 1.2 (fixtures by scripts/fixtures/metrics_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../src/ml/metrics/classification.js';
import { regressionMetrics } from '../src/ml/metrics/regression.js';

interface Case {
  name: string;
  task: 'classification' | 'regression';
  truth: (string | number)[];
  predicted: (string | number)[];
  proba?: Record<string, number>[] | null;
  expected: Record<string, unknown>;
}
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/metrics-sklearn.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

function close(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(1e-9);
  } else if (Array.isArray(expected)) {
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected)) close((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else expect(actual, path).toEqual(expected);
}

describe('metrics equal scikit-learn', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const got =
      c.task === 'classification'
        ? classificationMetrics({
            truth: c.truth.map(String),
            predicted: c.predicted.map(String),
            proba: c.proba ?? null,
          })
        : regressionMetrics(c.truth.map(Number), c.predicted.map(Number));
    close(got, c.expected, c.name);
  });
});
