import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../datasets/random.js';
import { denseObjective } from './dense-objective.js';
import { softmaxLoss } from './losses.js';
import type { Csr } from './sparse.js';

/** n rows of d dense random features, k classes. */
function problem(seed: number, n: number, d: number, k: number): { X: Csr; y: Int32Array } {
  const next = mulberry32(seed);
  const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * d);
  const indices = Int32Array.from({ length: n * d }, (_, p) => p % d);
  const values = Float64Array.from({ length: n * d }, () => next() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => Math.floor(next() * k));
  return { X: { rows: n, cols: d, indptr, indices, values }, y };
}

function point(seed: number, size: number): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: size }, () => next() - 0.5);
}

describe('dense objective', () => {
  it('the Hessian asked for at the point just evaluated equals a fresh evaluation; elsewhere too', () => {
    const { X, y } = problem(1, 300, 3, 4);
    const size = (3 + 1) * 4;
    const [w1, w2] = [point(2, size), point(3, size)];
    const objective = denseObjective(X, softmaxLoss(y, 4), 0.01);
    const g = new Float64Array(size);
    const loss1 = objective(w1, g);
    const H = new Float64Array(size * size);
    expect(objective(w1, undefined, H)).toBe(loss1); // reuses the scored rows
    const fresh = new Float64Array(size * size);
    denseObjective(X, softmaxLoss(y, 4), 0.01)(w1, undefined, fresh);
    expect(Array.from(H)).toEqual(Array.from(fresh));
    // A different point is scored again.
    const H2 = new Float64Array(size * size);
    const loss2 = objective(w2, undefined, H2);
    const fresh2 = new Float64Array(size * size);
    expect(denseObjective(X, softmaxLoss(y, 4), 0.01)(w2, undefined, fresh2)).toBe(loss2);
    expect(Array.from(H2)).toEqual(Array.from(fresh2));
    expect(loss2).not.toBe(loss1);
  });

  it('with many classes the rows go in smaller blocks, and the gradient and Hessian still match finite differences', () => {
    // 150 classes: 11,325 class pairs of second derivatives, so blocks of 730 rows, not 2,048.
    const k = 150;
    const { X, y } = problem(4, 1000, 1, k);
    const size = 2 * k;
    const w = point(5, size);
    const objective = denseObjective(X, softmaxLoss(y, k), 0.001);
    const g = new Float64Array(size);
    const H = new Float64Array(size * size);
    objective(w, g, H);
    const h = 1e-6;
    for (const j of [0, 7, k - 1, k, size - 1]) {
      const up = Float64Array.from(w);
      const down = Float64Array.from(w);
      up[j] = up[j]! + h;
      down[j] = down[j]! - h;
      const gUp = new Float64Array(size);
      const gDown = new Float64Array(size);
      const numeric = (objective(up, gUp) - objective(down, gDown)) / (2 * h);
      expect(g[j]).toBeCloseTo(numeric, 7);
      for (const i of [0, j, size - 1]) expect(H[i * size + j]).toBeCloseTo((gUp[i]! - gDown[i]!) / (2 * h), 5);
    }
  });
});
