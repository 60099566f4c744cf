/**
 * The built-in trainer's tabular models reach scikit-learn's optimum for the same objective:
 * LogisticRegression(C) (multinomial and binary) and Ridge(alpha = 1 / C) on standardised
 * seattle-weather columns (fixtures by scripts/fixtures/train_fixtures.py).
 * The wide (text) path, L-BFGS on the column-stored matrix, is held to the same optimum as
 * Newton's method on a problem small enough for both.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitTransformText } from '../src/ml/train/featurize.js';
import { trainBinaryLogistic, trainSoftmax } from '../src/ml/train/linear.js';
import { predict, trainModel, type Task } from '../src/ml/train/model.js';

interface Case {
  name: string;
  task: Task;
  columns: string[];
  target: string;
  positive?: string | null;
  C: number;
  /** scikit-learn's objective at its solution (classification), on refit's scale */
  objective?: number;
  expected: (Record<string, number> | number)[];
}
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/train-sklearn.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};
const csv = readFileSync(new URL('../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const header = csv[0]!.split(',');
const days = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])));
const cut = Math.floor(days.length * 0.8);

describe('tabular models equal scikit-learn at convergence', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const input = (d: Record<string, string>) => Object.fromEntries(c.columns.map((k) => [k, Number(d[k])]));
    const label = (d: Record<string, string>) =>
      c.positive ? (d[c.target] === c.positive ? c.positive : 'other') : d[c.target]!;
    const model = trainModel(
      days.slice(0, cut).map((d) => ({ input: input(d), label: label(d) })),
      c.task,
      { C: c.C },
    );
    const got = predict(model, days.slice(cut).map(input));
    expect(got).toHaveLength(c.expected.length);
    let worst = 0;
    got.forEach((p, i) => {
      const e = c.expected[i]!;
      if (typeof e === 'number') worst = Math.max(worst, Math.abs(p.value! - e));
      else for (const [cls, v] of Object.entries(e)) worst = Math.max(worst, Math.abs(p.proba[cls]! - v));
    });
    if (c.task === 'tabular-regression')
      expect(worst).toBeLessThan(1e-6); // °C; Ridge solves exactly
    else {
      // scikit-learn's L-BFGS stops once the loss changes by less than 64·ε relative: refit's
      // Newton ends at least as low, and the probabilities agree to a few parts in 10⁴.
      expect(model.training.loss).toBeLessThanOrEqual(c.objective! + 1e-12);
      expect(worst).toBeLessThan(5e-4);
    }
  });
});

describe('the two optimizers agree', () => {
  const texts = [
    'cheap meds online now',
    'win a free prize today',
    'meeting notes attached',
    'quarterly report for review',
    'lunch on friday with the team',
    'claim your cash reward now',
    'free offer click here',
    'invoice for november attached',
  ];
  const labels = [1, 1, 0, 0, 0, 1, 1, 0];
  const { X } = fitTransformText(
    texts.map((text) => ({ text })),
    'text',
    12,
    1,
  );

  it('binary: L-BFGS over columns reaches the optimum Newton finds', () => {
    const y = Int32Array.from(labels);
    expect(X.cols + 1).toBeLessThanOrEqual(200); // Newton's path
    const newton = trainBinaryLogistic(X, y, 0.01, { maxIter: 100, gradTol: 1e-10 });
    // The same matrix widened with empty columns past Newton's limit: L-BFGS's path.
    const lbfgs = trainBinaryLogistic({ ...X, cols: 400 }, y, 0.01, { maxIter: 500, gradTol: 1e-10, lossTol: 0 });
    expect(Math.abs(lbfgs.loss - newton.loss)).toBeLessThan(1e-9);
    for (let j = 0; j < X.cols; j++)
      expect(Math.abs(lbfgs.weights.w[j * 2 + 1]! - newton.weights.w[j * 2 + 1]!)).toBeLessThan(1e-5);
  });

  it('softmax: the same for three classes', () => {
    const y = Int32Array.from([0, 1, 2, 2, 2, 0, 1, 2]);
    const newton = trainSoftmax(X, y, 3, 0.01, { maxIter: 100, gradTol: 1e-10 });
    const lbfgs = trainSoftmax({ ...X, cols: 400 }, y, 3, 0.01, { maxIter: 1000, gradTol: 1e-10, lossTol: 0 });
    expect(Math.abs(lbfgs.loss - newton.loss)).toBeLessThan(1e-9);
    for (let j = 0; j < X.cols * 3; j++)
      expect(Math.abs(lbfgs.weights.w[j]! - newton.weights.w[j]!)).toBeLessThan(1e-4);
  });

  it('Newton over several blocks of rows (more than 2048) reaches the L-BFGS optimum', () => {
    // 5,000 rows, 3 numeric features, 3 classes from a noisy linear rule (deterministic).
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const n = 5000;
    const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * 3);
    const indices = Int32Array.from({ length: n * 3 }, (_, p) => p % 3);
    const values = Float64Array.from({ length: n * 3 }, () => rand() * 4 - 2);
    const y = Int32Array.from({ length: n }, (_, i) => {
      const s = values[i * 3]! - values[i * 3 + 1]! + 0.5 * values[i * 3 + 2]! + (rand() - 0.5) * 2;
      return s < -1 ? 0 : s < 1 ? 1 : 2;
    });
    const X = { rows: n, cols: 3, indptr, indices, values };
    const newton = trainSoftmax(X, y, 3, 1e-3, { maxIter: 100, gradTol: 1e-10 });
    const lbfgs = trainSoftmax({ ...X, cols: 400 }, y, 3, 1e-3, { maxIter: 2000, gradTol: 1e-8, lossTol: 1e-15 });
    expect(newton.iterations).toBeLessThan(20);
    expect(Math.abs(lbfgs.loss - newton.loss)).toBeLessThan(1e-9);
    for (let j = 0; j < 9; j++) expect(Math.abs(lbfgs.weights.w[j]! - newton.weights.w[j]!)).toBeLessThan(1e-4);
  });
});
