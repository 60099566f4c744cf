/**
 * The objective of a K-output linear model with few features, with its gradient and Hessian, for
 * Newton's method (tabular models). Rows are taken in blocks copied into dense column-major
 * arrays (the bias as a column of ones), so every sum is a long loop over one block's rows — the
 * scores, the gradient and each Hessian entry are inner products of columns. The loops run in
 * WebAssembly (wasm/kernels.wat: scores, the loss, gradient, hessian, finish).
 */
import { lossArena, type Loss } from './losses.js';
import type { TwiceDifferentiable } from './newton.js';
import type { Csr } from './sparse.js';

const BLOCK = 2048;
/** Doubles the block arrays may take (64 MiB): many classes mean many second-derivative pairs. */
const BLOCK_DOUBLES = 8 << 20;

/**
 * Parameters are laid out feature-major (`θ[j·K + c]`, the biases as feature d); the loss is the
 * rows' mean plus λ/2·‖W‖² (biases unpenalised).
 */
export function denseObjective(X: Csr, loss: Loss, lambda: number): TwiceDifferentiable {
  const { rows: n, cols: d } = X;
  const k = loss.k;
  const f = d + 1; // features with the bias
  const size = f * k;
  const pairs = (k * (k + 1)) / 2;
  const B = Math.max(1, Math.min(BLOCK, n, Math.floor(BLOCK_DOUBLES / (f + k + pairs + 1))));
  const {
    arrays: { cols, z, second, q, theta, grad, hess },
    kernels,
    block,
  } = lossArena(loss, B, {
    cols: f * B, // column j of the block at [j·B, (j+1)·B)
    z: k * B, // per class: scores, then dloss/dz
    second: pairs * B, // second derivatives per class pair c ≤ c2
    q: B, // product of two feature columns
    theta: size,
    grad: size,
    hess: size * size,
  });
  // All rows in one block (the usual tabular case): copied once, not on every evaluation; the
  // block's derivatives are kept with the parameters they belong to, so the Hessian asked for at
  // the point just evaluated (as Newton's method does) does not score the rows again.
  const single = n <= B;
  if (single) fillBlock(X, 0, n, B, d, cols);
  let kept: { theta: Float64Array; total: number } | undefined;
  return (w, g, h) => {
    const reuse = kept !== undefined && sameValues(kept.theta, w);
    theta.set(w);
    if (g) grad.fill(0);
    if (h) hess.fill(0);
    let total = reuse ? kept!.total : 0;
    for (let start = 0; start < n; start += B) {
      const m = Math.min(B, n - start);
      if (!reuse) {
        if (!single) fillBlock(X, start, m, B, d, cols);
        kernels.scores(cols, theta, z, f, k, B, m);
        total += block(z, B, m, start, h || single ? second : undefined);
      }
      if (g) kernels.gradient(cols, z, grad, f, k, B, m);
      if (h) kernels.hessian(hess, size, k, f, cols, second, q, B, m);
    }
    if (single) kept = { theta: Float64Array.from(w), total };
    const reg = kernels.finish(theta, g ? grad : undefined, h ? hess : undefined, size, d * k, n, lambda);
    g?.set(grad);
    h?.set(hess);
    return total / n + 0.5 * lambda * reg;
  };
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Rows start..start+m of X as dense columns (stride B), column d all ones. */
function fillBlock(X: Csr, start: number, m: number, B: number, d: number, cols: Float64Array): void {
  cols.fill(0, 0, d * B);
  cols.fill(1, d * B, d * B + m);
  for (let r = 0; r < m; r++) {
    const i = start + r;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) cols[X.indices[p]! * B + r] = X.values[p]!;
  }
}
