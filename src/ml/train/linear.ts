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
import { toCsc, type Csr } from './sparse.js';

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
  return {
    weights: { k, d: X.cols, w: r.w.slice(0, X.cols * k), b: r.w.slice(X.cols * k) },
    iterations: r.iterations,
    loss: r.loss,
  };
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
function minimise(
  X: Csr,
  loss: Loss,
  lambda: number,
  start: Float64Array,
  opts: OptimizerOptions,
): { w: Float64Array; loss: number; iterations: number } {
  if (start.length <= NEWTON_MAX_PARAMS) return newton(denseObjective(X, loss, lambda), start, opts);
  return lbfgs(columnObjective(X, loss, lambda), start, opts);
}

/**
 * The mean loss plus λ/2·‖W‖² and its gradient, walking X column by column (in WebAssembly:
 * scoreColumns and gatherColumns in wasm/kernels.wat, on X stored by column in its memory).
 */
function columnObjective(X: Csr, loss: Loss, lambda: number): Objective {
  const { rows: n, cols: d } = X;
  const k = loss.k;
  const size = (d + 1) * k;
  const bOff = d * k;
  const nnz = X.indptr[n]!;
  const {
    arrays: { z, theta, grad, values },
    ints: { colptr, rows },
    kernels,
    block,
  } = lossArena(loss, n, { z: k * n, theta: size, grad: size, values: nnz }, { colptr: d + 1, rows: nnz });
  toCsc(X, { colptr, rowIndices: rows, values });
  // z: class-major per row, the scores, then dloss/dz / n.
  return (w, g) => {
    theta.set(w);
    for (let c = 0; c < k; c++) z.fill(theta[bOff + c]!, c * n, (c + 1) * n);
    kernels.scoreColumns(colptr, rows, values, d, k, theta, z, n);
    const total = block(z, n, n, 0);
    for (let c = 0; c < k; c++) grad[bOff + c] = scaleSum(z, c * n, n, 1 / n);
    const reg = kernels.gatherColumns(colptr, rows, values, d, k, z, n, theta, lambda, grad);
    g.set(grad);
    return total / n + 0.5 * lambda * reg;
  };
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
