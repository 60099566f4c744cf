/**
 * The losses of the linear models, applied to a block of rows at once. Scores are class-major:
 * class c of row r at `z[c·stride + r]`. `block(z, stride, m, start, second)` returns the summed
 * loss of rows start..start+m (their labels are `y[start + r]`), replaces each score by the
 * loss's derivative by it and, when `second` is given, writes the second derivatives for every
 * class pair c ≤ c2 at `second[pair·stride + r]` (pairs ordered (0,0), (0,1), …, (1,1), …).
 */
import { axpy, multiply } from './kernels.js';

export interface Loss {
  /** Scores per row (classes for softmax, 1 otherwise). */
  k: number;
  block(z: Float64Array, stride: number, m: number, start: number, second?: Float64Array): number;
}

/**
 * Multinomial log loss: −log softmax(z)[y]. Computed class by class over all rows of the block
 * (long, simple loops) rather than row by row over a handful of classes.
 */
export function softmaxLoss(y: Int32Array, k: number): Loss {
  let max = new Float64Array(0);
  let sum = new Float64Array(0);
  return {
    k,
    block(z, stride, m, start, second) {
      if (max.length < m) (max = new Float64Array(m)), (sum = new Float64Array(m));
      max.set(z.subarray(0, m));
      for (let c = 1; c < k; c++) rowMax(z, c * stride, max, m);
      sum.fill(0, 0, m);
      for (let c = 0; c < k; c++) expShifted(z, c * stride, max, sum, m);
      let loss = 0;
      for (let r = 0; r < m; r++) loss -= Math.log(z[y[start + r]! * stride + r]! / sum[r]!);
      for (let c = 0; c < k; c++) divide(z, c * stride, sum, m);
      // ∂²/∂z_c∂z_c2 = p_c·(δ_cc2 − p_c2)
      if (second) {
        for (let c = 0, pair = 0; c < k; c++) {
          for (let c2 = c; c2 < k; c2++, pair++) {
            multiply(z, c * stride, z, c2 * stride, second, pair * stride, m, -1);
            if (c === c2) axpy(1, z, c * stride, second, pair * stride, m);
          }
        }
      }
      for (let r = 0; r < m; r++) {
        const at = y[start + r]! * stride + r;
        z[at] = z[at]! - 1;
      }
      return loss;
    },
  };
}

function rowMax(z: Float64Array, off: number, max: Float64Array, m: number): void {
  for (let r = 0; r < m; r++) max[r] = Math.max(max[r]!, z[off + r]!);
}

function expShifted(z: Float64Array, off: number, max: Float64Array, sum: Float64Array, m: number): void {
  for (let r = 0; r < m; r++) {
    const e = Math.exp(z[off + r]! - max[r]!);
    z[off + r] = e;
    sum[r] = sum[r]! + e;
  }
}

function divide(z: Float64Array, off: number, by: Float64Array, m: number): void {
  for (let r = 0; r < m; r++) z[off + r] = z[off + r]! / by[r]!;
}


/** Binary log loss of one score: log(1 + e^z) − y·z, y ∈ {0, 1}. */
export function logisticLoss(y: Int32Array): Loss {
  return {
    k: 1,
    block(z, _stride, m, start, second) {
      let loss = 0;
      for (let r = 0; r < m; r++) {
        const s = z[r]!;
        const yi = y[start + r]!;
        // computed stably on both sides of 0
        loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - (yi === 1 ? s : 0);
        const p = 1 / (1 + Math.exp(-s));
        z[r] = p - yi;
        if (second) second[r] = p * (1 - p);
      }
      return loss;
    },
  };
}

/** Squared error / 2. */
export function squaredLoss(y: Float64Array): Loss {
  return {
    k: 1,
    block(z, _stride, m, start, second) {
      let loss = 0;
      for (let r = 0; r < m; r++) {
        const e = z[r]! - y[start + r]!;
        loss += 0.5 * e * e;
        z[r] = e;
        if (second) second[r] = 1;
      }
      return loss;
    },
  };
}
