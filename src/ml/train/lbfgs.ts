/**
 * Limited-memory BFGS (two-loop recursion) with a backtracking Armijo line search, for smooth
 * convex objectives (regularised logistic and squared loss). Deterministic.
 *
 * The vectors (the iterate, gradients, direction and the history) live in one WebAssembly arena
 * and the passes over them are its SIMD kernels (wasm/kernels.wat), each update fused with the
 * inner product the next step needs.
 */
import { wasmArena, type Kernels } from './wasm/arena.js';

/** Options of both optimizers (L-BFGS here, Newton's method in newton.ts). */
export interface OptimizerOptions {
  /** Iterations at most. Default 200 (Newton: 100). */
  maxIter?: number;
  /** L-BFGS history pairs kept. Default 8. */
  memory?: number;
  /** Stop when the largest gradient component falls below this. Default 1e-5 (Newton: 1e-6). */
  gradTol?: number;
  /** Stop when the relative loss decrease falls below this. Default 1e-9 (Newton: 1e-12). */
  lossTol?: number;
  /** Called after every iteration with (iteration, loss). */
  onIteration?: (iter: number, loss: number) => void;
}

/** `objective(w, grad)` returns the loss at w and writes its gradient into grad. */
export type Objective = (w: Float64Array, grad: Float64Array) => number;

export function lbfgs(
  objective: Objective,
  w0: Float64Array,
  options: OptimizerOptions = {},
): { w: Float64Array; loss: number; iterations: number } {
  const maxIter = options.maxIter ?? 200;
  const m = options.memory ?? 8;
  const gradTol = options.gradTol ?? 1e-5;
  const lossTol = options.lossTol ?? 1e-9;
  const n = w0.length;
  const { arrays, kernels } = wasmArena({ w: n, wNew: n, g: n, gNew: n, d: n, history: 2 * m * n });
  let { w, wNew, g, gNew } = arrays;
  const { d, history } = arrays;
  w.set(w0);
  let loss = objective(w, g);
  // History pairs (s = Δw, y = Δgradient), newest last, in m preallocated pairs of vectors: a
  // pair's vectors come from the spares, the oldest pair's go back when all are in use.
  const spare = Array.from(
    { length: m },
    (_, k) =>
      [history.subarray(2 * k * n, (2 * k + 1) * n), history.subarray((2 * k + 1) * n, (2 * k + 2) * n)] as const,
  );
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const gamma: number[] = [];
  const alpha = new Float64Array(m);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (kernels.maxAbs(g) < gradTol) break;
    let slope = direction(kernels, d, g, S, Y, rho, gamma, alpha);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.forEach((v, k) => spare.push([v, Y[k]!]));
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      gamma.length = 0;
      scaleInto(d, g, -1);
      slope = -kernels.dot(g, 0, g, 0, g.length);
    }
    let step = 1;
    let newLoss = Infinity;
    let accepted = false;
    for (let tries = 0; tries < 40 && !accepted; tries++) {
      kernels.combine(wNew, 1, w, step, d); // w + step·d
      newLoss = objective(wNew, gNew);
      accepted = newLoss <= loss + 1e-4 * step * slope;
      step *= 0.5;
    }
    // No step along a descent direction lowers the loss: converged to machine precision.
    if (!accepted) break;
    if (S.length === m) {
      spare.push([S.shift()!, Y.shift()!]);
      rho.shift();
      gamma.shift();
    }
    const [s, y] = spare.pop()!;
    kernels.combine(s, 1, wNew, -1, w); // wNew − w
    const [sy, yy] = kernels.diffDots(y, gNew, g, s);
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    const improvement = (loss - newLoss) / Math.max(Math.abs(loss), 1e-12);
    loss = newLoss;
    options.onIteration?.(iter + 1, loss);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      gamma.push(sy / yy);
    } else spare.push([s, y]);
    if (improvement >= 0 && improvement < lossTol) {
      iter++;
      break;
    }
  }
  return { w: w.slice(), loss, iterations: iter };
}

/**
 * The two-loop recursion: writes d = −H·g for the inverse-Hessian estimate H of the history
 * (initial H = γ·I, γ = sᵀy / yᵀy of the newest pair) and returns the slope gᵀd. Each update of d
 * is fused with the inner product the next step needs: one pass over d per pair and loop.
 */
function direction(
  { axpbyDot, dot }: Kernels,
  d: Float64Array,
  g: Float64Array,
  S: Float64Array[],
  Y: Float64Array[],
  rho: number[],
  gamma: number[],
  alpha: Float64Array,
): number {
  const h = S.length;
  if (h === 0) {
    scaleInto(d, g, -1);
    scale(d, 1 / Math.max(1, Math.sqrt(dot(d, 0, d, 0, d.length))));
    return dot(g, 0, d, 0, d.length);
  }
  let next = axpbyDot(-1, g, 0, d, S[h - 1]!); // d = −g
  for (let k = h - 1; k >= 0; k--) {
    const a = rho[k]! * next;
    alpha[k] = a;
    next = axpbyDot(-a, Y[k]!, 1, d, k > 0 ? S[k - 1]! : Y[0]!);
  }
  // d ← γ·d, folded into the first update below.
  let b = gamma[h - 1]!;
  next *= b;
  for (let k = 0; k < h; k++) {
    const c = alpha[k]! - rho[k]! * next;
    next = axpbyDot(c, S[k]!, b, d, k + 1 < h ? Y[k + 1]! : g);
    b = 1;
  }
  return next;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * a;
}

/** out = a·x */
function scaleInto(out: Float64Array, x: Float64Array, a: number): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i]!;
}
