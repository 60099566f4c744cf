import { describe, expect, it } from 'vitest';
import { lbfgs } from './lbfgs.js';

describe('L-BFGS', () => {
  it('minimises an ill-conditioned quadratic with a short history (its vectors reused many times)', () => {
    // ½·Σ a_i·x_i² − Σ b_i·x_i, a from 1 to 1000: the minimum is x_i = b_i / a_i.
    const n = 50;
    const a = Float64Array.from({ length: n }, (_, i) => 10 ** ((3 * i) / (n - 1)));
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const objective = (x: Float64Array, g: Float64Array): number => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        f += 0.5 * a[i]! * x[i]! * x[i]! - b[i]! * x[i]!;
        g[i] = a[i]! * x[i]! - b[i]!;
      }
      return f;
    };
    const r = lbfgs(objective, new Float64Array(n), { memory: 3, maxIter: 2000, gradTol: 1e-10, lossTol: 0 });
    expect(r.iterations).toBeGreaterThan(3); // more iterations than history pairs
    // to the precision the loss allows: near the minimum its changes fall below rounding
    for (let i = 0; i < n; i++) expect(r.w[i]).toBeCloseTo(b[i]! / a[i]!, 6);
  });

  it('finds the Rosenbrock minimum (not convex: curvature pairs are dropped and the search restarts)', () => {
    const objective = (x: Float64Array, g: Float64Array): number => {
      const [u, v] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - u) - 400 * u * (v - u * u);
      g[1] = 200 * (v - u * u);
      return (1 - u) ** 2 + 100 * (v - u * u) ** 2;
    };
    const r = lbfgs(objective, Float64Array.from([-1.2, 1]), { memory: 2, maxIter: 5000, gradTol: 1e-9, lossTol: 0 });
    expect(r.w[0]).toBeCloseTo(1, 6);
    expect(r.w[1]).toBeCloseTo(1, 6);
    expect(r.loss).toBeLessThan(1e-12);
  });
});
