/**
 * Limited-memory BFGS (two-loop recursion) with a backtracking Armijo line search, for smooth
 * convex objectives (regularised logistic and squared loss). Deterministic.
 *
 * The vector work is done by small kernels (kernels.ts and the fused ones at the bottom): each is
 * one tight loop that V8 optimises on its own, several times faster than the same loops inlined
 * into one long function.
 */
import { dot, maxAbs } from './kernels.js';

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

export function lbfgs(objective: Objective, w0: Float64Array, options: OptimizerOptions = {}): { w: Float64Array; loss: number; iterations: number } {
  const maxIter = options.maxIter ?? 200;
  const m = options.memory ?? 8;
  const gradTol = options.gradTol ?? 1e-5;
  const lossTol = options.lossTol ?? 1e-9;
  const n = w0.length;
  let w = Float64Array.from(w0);
  let g = new Float64Array(n);
  let loss = objective(w, g);
  // History pairs in a ring of preallocated vectors: s = Δw, y = Δgradient.
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const gamma: number[] = [];
  const d = new Float64Array(n);
  let wNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (maxAbs(g) < gradTol) break;
    let slope = direction(d, g, S, Y, rho, gamma, alpha);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      gamma.length = 0;
      scaleInto(d, g, -1);
      slope = -dot(g, 0, g, 0, g.length);
    }
    let step = 1;
    let newLoss = Infinity;
    let accepted = false;
    for (let tries = 0; tries < 40 && !accepted; tries++) {
      stepInto(wNew, w, step, d);
      newLoss = objective(wNew, gNew);
      accepted = newLoss <= loss + 1e-4 * step * slope;
      step *= 0.5;
    }
    // No step along a descent direction lowers the loss: converged to machine precision.
    if (!accepted) break;
    // Reuse the oldest pair's vectors once the history is full.
    const recycle = S.length === m;
    const s = recycle ? S.shift()! : new Float64Array(n);
    const y = recycle ? Y.shift()! : new Float64Array(n);
    if (recycle) (rho.shift(), gamma.shift());
    diffInto(s, wNew, w);
    const [sy, yy] = diffDots(y, gNew, g, s);
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
    }
    if (improvement >= 0 && improvement < lossTol) {
      iter++;
      break;
    }
  }
  return { w, loss, iterations: iter };
}

/**
 * The two-loop recursion: writes d = −H·g for the inverse-Hessian estimate H of the history
 * (initial H = γ·I, γ = sᵀy / yᵀy of the newest pair) and returns the slope gᵀd. Each update of d
 * is fused with the inner product the next step needs: one pass over d per pair and loop.
 */
function direction(d: Float64Array, g: Float64Array, S: Float64Array[], Y: Float64Array[], rho: number[], gamma: number[], alpha: Float64Array): number {
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

// Fused kernels, summing in four lanes like kernels.ts.

/** y ← a·x + b·y, returning zᵀy of the new y. */
function axpbyDot(a: number, x: Float64Array, b: number, y: Float64Array, z: Float64Array): number {
  const n = y.length;
  const m = n & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i < m; i += 4) {
    const v0 = b * y[i]! + a * x[i]!;
    const v1 = b * y[i + 1]! + a * x[i + 1]!;
    const v2 = b * y[i + 2]! + a * x[i + 2]!;
    const v3 = b * y[i + 3]! + a * x[i + 3]!;
    y[i] = v0;
    y[i + 1] = v1;
    y[i + 2] = v2;
    y[i + 3] = v3;
    s0 += v0 * z[i]!;
    s1 += v1 * z[i + 1]!;
    s2 += v2 * z[i + 2]!;
    s3 += v3 * z[i + 3]!;
  }
  for (; i < n; i++) {
    const v = b * y[i]! + a * x[i]!;
    y[i] = v;
    s0 += v * z[i]!;
  }
  return s0 + s1 + (s2 + s3);
}

/** y ← a − b, returning [sᵀy, yᵀy]. */
function diffDots(y: Float64Array, a: Float64Array, b: Float64Array, s: Float64Array): [number, number] {
  const n = y.length;
  const m = n & ~1;
  let sy0 = 0, sy1 = 0, yy0 = 0, yy1 = 0;
  let i = 0;
  for (; i < m; i += 2) {
    const v0 = a[i]! - b[i]!;
    const v1 = a[i + 1]! - b[i + 1]!;
    y[i] = v0;
    y[i + 1] = v1;
    sy0 += s[i]! * v0;
    sy1 += s[i + 1]! * v1;
    yy0 += v0 * v0;
    yy1 += v1 * v1;
  }
  for (; i < n; i++) {
    const v = a[i]! - b[i]!;
    y[i] = v;
    sy0 += s[i]! * v;
    yy0 += v * v;
  }
  return [sy0 + sy1, yy0 + yy1];
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * a;
}

/** out = a·x */
function scaleInto(out: Float64Array, x: Float64Array, a: number): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i]!;
}

/** out = w + step·d */
function stepInto(out: Float64Array, w: Float64Array, step: number, d: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = w[i]! + step * d[i]!;
}

/** out = a − b */
function diffInto(out: Float64Array, a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
}
