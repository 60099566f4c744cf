/**
 * Linear models on a sparse design matrix:
 *  - multinomial logistic regression (softmax, mean log loss + λ/2·‖W‖², bias unpenalised) for
 *    classification, with calibrated-enough probabilities for log loss; binary problems use one
 *    weight vector (sigmoid);
 *  - ridge regression (mean squared error / 2 + λ/2·‖w‖²) for regression.
 * Weights are laid out feature-major (`w[j·K + k]`), the K biases last.
 *
 * Models with few parameters (tabular) are fitted by Newton's method on dense blocks of rows
 * (dense-objective.ts); wide ones (text) by L-BFGS on the matrix stored by column (`Csc`): scores
 * are accumulated into per-row arrays and the gradient is gathered column by column, so the
 * weights and the gradient are read and written in order and only the per-row arrays (n·K
 * numbers) are accessed at random.
 */
import { denseObjective } from './dense-objective.js';
import { lbfgs, type OptimizerOptions, type Objective } from './lbfgs.js';
import { lossArena, logisticLoss, softmaxLoss, squaredLoss, type Loss } from './losses.js';
import { newton } from './newton.js';
import { toCsc, type Csc, type Csr } from './sparse.js';

export interface LinearWeights {
  /** Classes (K) for classification; K = 1 for regression. */
  k: number;
  d: number;
  w: Float64Array;
  b: Float64Array;
}

type Fit = { weights: LinearWeights; iterations: number; loss: number };

/** Parameters at most for which Newton's method (a dense Hessian) is used instead of L-BFGS. */
const NEWTON_MAX_PARAMS = 200;

export function trainSoftmax(X: Csr, y: Int32Array, k: number, lambda: number, opts: OptimizerOptions = {}): Fit {
  const r = minimise(X, softmaxLoss(y, k), lambda, new Float64Array((X.cols + 1) * k), opts);
  return { weights: { k, d: X.cols, w: r.w.slice(0, X.cols * k), b: r.w.slice(X.cols * k) }, iterations: r.iterations, loss: r.loss };
}

/**
 * Binary logistic regression (one weight vector, sigmoid): the same model as a two-class softmax
 * with half the parameters. Stored as K = 2 with the first class's weights zero, so prediction is
 * shared with the multiclass path.
 */
export function trainBinaryLogistic(X: Csr, y: Int32Array, lambda: number, opts: OptimizerOptions = {}): Fit {
  const d = X.cols;
  const r = minimise(X, logisticLoss(y), lambda, new Float64Array(d + 1), opts);
  const w = new Float64Array(d * 2);
  for (let j = 0; j < d; j++) w[j * 2 + 1] = r.w[j]!;
  return { weights: { k: 2, d, w, b: Float64Array.from([0, r.w[d]!]) }, iterations: r.iterations, loss: r.loss };
}

export function trainRidge(X: Csr, y: Float64Array, lambda: number, opts: OptimizerOptions = {}): Fit {
  const d = X.cols;
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  const start = new Float64Array(d + 1);
  start[d] = mean / y.length;
  const r = minimise(X, squaredLoss(y), lambda, start, opts);
  return { weights: { k: 1, d, w: r.w.slice(0, d), b: r.w.slice(d) }, iterations: r.iterations, loss: r.loss };
}

/** Newton's method when the model has few parameters, else L-BFGS. */
function minimise(X: Csr, loss: Loss, lambda: number, start: Float64Array, opts: OptimizerOptions): { w: Float64Array; loss: number; iterations: number } {
  if (start.length <= NEWTON_MAX_PARAMS) return newton(denseObjective(X, loss, lambda), start, opts);
  return lbfgs(columnObjective(toCsc(X), loss, lambda), start, opts);
}

/** The mean loss plus λ/2·‖W‖² and its gradient, walking X column by column. */
function columnObjective(X: Csc, loss: Loss, lambda: number): Objective {
  const { rows: n, cols: d, colptr, rowIndices, values } = X;
  const k = loss.k;
  const bOff = d * k;
  // Class-major per row: the scores, then dloss/dz / n.
  const {
    arrays: { z },
    block,
  } = lossArena(loss, n, { z: k * n });
  return (theta, grad) => {
    for (let c = 0; c < k; c++) z.fill(theta[bOff + c]!, c * n, (c + 1) * n);
    scoreColumns(colptr, rowIndices, values, k, theta, z);
    const total = block(z, n, n, 0);
    for (let c = 0; c < k; c++) grad[bOff + c] = scaleSum(z, c * n, n, 1 / n);
    return total / n + 0.5 * lambda * gatherColumns(colptr, rowIndices, values, k, z, theta, lambda, grad);
  };
}

/** z[c·n + row] += Σ_j theta[j·K + c]·X[row, j], column by column. */
function scoreColumns(colptr: Int32Array, rowIndices: Int32Array, values: Float64Array, k: number, theta: Float64Array, z: Float64Array): void {
  const d = colptr.length - 1;
  const n = z.length / k;
  for (let c = 0; c < k; c++) {
    const zc = z.subarray(c * n, (c + 1) * n);
    for (let j = 0; j < d; j++) {
      const t = theta[j * k + c]!;
      if (t === 0) continue;
      for (let p = colptr[j]!, e = colptr[j + 1]!; p < e; p++) {
        const row = rowIndices[p]!;
        zc[row] = zc[row]! + t * values[p]!;
      }
    }
  }
}

/** z[off..off+m) *= a; returns the new sum. */
function scaleSum(z: Float64Array, off: number, m: number, a: number): number {
  let s = 0;
  for (let i = off; i < off + m; i++) {
    const v = z[i]! * a;
    z[i] = v;
    s += v;
  }
  return s;
}

/** grad[j·K + c] = Σ_row r[c·n + row]·X[row, j] + λ·theta[j·K + c]; returns ‖W‖². */
function gatherColumns(colptr: Int32Array, rowIndices: Int32Array, values: Float64Array, k: number, r: Float64Array, theta: Float64Array, lambda: number, grad: Float64Array): number {
  const d = colptr.length - 1;
  const n = r.length / k;
  let reg = 0;
  for (let c = 0; c < k; c++) {
    const rc = r.subarray(c * n, (c + 1) * n);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = colptr[j]!, e = colptr[j + 1]!; p < e; p++) s += rc[rowIndices[p]!]! * values[p]!;
      const t = theta[j * k + c]!;
      grad[j * k + c] = s + lambda * t;
      reg += t * t;
    }
  }
  return reg;
}

/** Scores (logits, or the prediction for regression) of every row: n × K. */
export function scores(X: Csr, m: LinearWeights): Float64Array {
  const out = new Float64Array(X.rows * m.k);
  for (let i = 0; i < X.rows; i++) {
    for (let c = 0; c < m.k; c++) out[i * m.k + c] = m.b[c]!;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const base = X.indices[p]! * m.k;
      const v = X.values[p]!;
      for (let c = 0; c < m.k; c++) out[i * m.k + c] = out[i * m.k + c]! + m.w[base + c]! * v;
    }
  }
  return out;
}
