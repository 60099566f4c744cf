/**
 * Float64 arrays allocated in one WebAssembly memory, with the kernels of kernels.wat that work
 * on them: the losses on a block of rows and the vector kernels of the dense objective. They are
 * compiled code from their first call, where JavaScript runs interpreted until V8 has seen enough
 * of it — which is most of a small model's training. Results are bit-identical to the same loops
 * in JavaScript.
 *
 * The memory is made at its final size and never grows: growing would detach its buffer, and once
 * any ArrayBuffer in the process has been detached V8's optimised code checks every typed array
 * access for it — measured: text training 45% slower.
 */
import { UsageError } from '../../../core/errors.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

interface Exports {
  dot(a: number, b: number, m: number): number;
  axpy(t: number, x: number, y: number, m: number): void;
  multiply(a: number, b: number, out: number, m: number, s: number): void;
  softmax(
    z: number,
    stride: number,
    m: number,
    y: number,
    k: number,
    max: number,
    sum: number,
    second: number,
    withSecond: number,
  ): number;
  logistic(z: number, m: number, y: number, second: number, withSecond: number): number;
  squared(z: number, m: number, y: number, second: number, withSecond: number): number;
  scores(cols: number, theta: number, z: number, f: number, k: number, B: number, m: number): void;
  gradient(cols: number, z: number, grad: number, f: number, k: number, B: number, m: number): void;
  hessian(
    hess: number,
    size: number,
    k: number,
    f: number,
    cols: number,
    second: number,
    q: number,
    B: number,
    m: number,
  ): void;
  finish(
    theta: number,
    grad: number,
    withGrad: number,
    hess: number,
    withHess: number,
    size: number,
    penalised: number,
    n: number,
    lambda: number,
  ): number;
  newtonStep(H: number, g: number, d: number, p: number): number;
  axpbyDot(a: number, x: number, b: number, y: number, z: number, n: number): number;
  diffDots(y: number, a: number, b: number, s: number, n: number): [number, number];
  combine(out: number, a: number, x: number, b: number, y: number, n: number): void;
  maxAbs(x: number, n: number): number;
  scoreColumns(
    colptr: number,
    rows: number,
    values: number,
    d: number,
    k: number,
    theta: number,
    z: number,
    n: number,
  ): void;
  gatherColumns(
    colptr: number,
    rows: number,
    values: number,
    d: number,
    k: number,
    r: number,
    n: number,
    theta: number,
    lambda: number,
    grad: number,
  ): number;
}

export interface Kernels {
  /** Σ a[ao + i]·b[bo + i] for i < m. */
  dot(a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): number;
  /** y[yo + i] += t·x[xo + i] for i < m. */
  axpy(t: number, x: Float64Array, xo: number, y: Float64Array, yo: number, m: number): void;
  /** out[oo + i] = s·a[ao + i]·b[bo + i] for i < m. */
  multiply(
    a: Float64Array,
    ao: number,
    b: Float64Array,
    bo: number,
    out: Float64Array,
    oo: number,
    m: number,
    s?: number,
  ): void;
  /**
   * Multinomial log loss of m rows (scores of class c at z[c·stride + r], class indices in
   * y[yo + r]): see kernels.wat. max and sum are scratch of m rows.
   */
  softmax(
    z: Float64Array,
    stride: number,
    m: number,
    y: Float64Array,
    yo: number,
    k: number,
    max: Float64Array,
    sum: Float64Array,
    second?: Float64Array,
  ): number;
  /** Binary log loss of m rows, targets 0/1 in y[yo + r]. */
  logistic(z: Float64Array, m: number, y: Float64Array, yo: number, second?: Float64Array): number;
  /** Squared error / 2 of m rows against y[yo + r]. */
  squared(z: Float64Array, m: number, y: Float64Array, yo: number, second?: Float64Array): number;
  /**
   * The dense objective on a block of m rows stored as f columns of stride B in cols, parameters
   * θ[j·K + c] (see kernels.wat): the scores into z (K columns of stride B), …
   */
  scores(cols: Float64Array, theta: Float64Array, z: Float64Array, f: number, k: number, B: number, m: number): void;
  /** … the loss derivatives in z summed into the gradient, … */
  gradient(cols: Float64Array, z: Float64Array, grad: Float64Array, f: number, k: number, B: number, m: number): void;
  /** … the second derivatives (per class pair, stride B) summed into the Hessian's upper triangle, … */
  hessian(
    hess: Float64Array,
    size: number,
    k: number,
    f: number,
    cols: Float64Array,
    second: Float64Array,
    q: Float64Array,
    B: number,
    m: number,
  ): void;
  /**
   * … and the sums over n rows made the objective's: /n, plus λ on the first `penalised`
   * parameters. Returns their ‖θ‖².
   */
  finish(
    theta: Float64Array,
    grad: Float64Array | undefined,
    hess: Float64Array | undefined,
    size: number,
    penalised: number,
    n: number,
    lambda: number,
  ): number;
  /**
   * Newton's direction d = −(H + εI)⁻¹·g by Cholesky (H, p × p, overwritten); returns gᵀd, NaN
   * when H cannot be factored.
   */
  newtonStep(H: Float64Array, g: Float64Array, d: Float64Array, p: number): number;
  /** L-BFGS: y ← b·y + a·x, returning zᵀy of the new y (four lanes, as dot). */
  axpbyDot(a: number, x: Float64Array, b: number, y: Float64Array, z: Float64Array): number;
  /** L-BFGS: y ← a − b, returning [sᵀy, yᵀy]. */
  diffDots(y: Float64Array, a: Float64Array, b: Float64Array, s: Float64Array): [number, number];
  /** out ← a·x + b·y elementwise (out may be x or y). */
  combine(out: Float64Array, a: number, x: Float64Array, b: number, y: Float64Array): void;
  /** The largest |x[i]| (NaN if any is NaN). */
  maxAbs(x: Float64Array): number;
  /**
   * The column objective (X stored by column: colptr, rows, values; d columns, n rows, K
   * classes): z[c·n + row] += Σ_j θ[j·K + c]·X[row, j], …
   */
  scoreColumns(
    colptr: Int32Array,
    rows: Int32Array,
    values: Float64Array,
    d: number,
    k: number,
    theta: Float64Array,
    z: Float64Array,
    n: number,
  ): void;
  /** … and grad[j·K + c] = Σ_row r[c·n + row]·X[row, j] + λ·θ[j·K + c], returning ‖θ[0, d·K)‖². */
  gatherColumns(
    colptr: Int32Array,
    rows: Int32Array,
    values: Float64Array,
    d: number,
    k: number,
    r: Float64Array,
    n: number,
    theta: Float64Array,
    lambda: number,
    grad: Float64Array,
  ): number;
}

const PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const MAX_PAGES = 65536;
const math = { log: Math.log, log1p: Math.log1p };
let compiled: WebAssembly.Module | undefined;

/**
 * Zeroed float64 arrays (and int32 ones, `ints`) of the given lengths, each 16-byte aligned, in a
 * fresh memory, and kernels that accept only them: a typed array's byteOffset is its address in
 * the memory.
 */
export function wasmArena<K extends string, I extends string = never>(
  lengths: Record<K, number>,
  intLengths = {} as Record<I, number>,
): { arrays: Record<K, Float64Array>; ints: Record<I, Int32Array>; kernels: Kernels } {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  const names = Object.keys(lengths) as K[];
  const intNames = Object.keys(intLengths) as I[];
  const offsets: number[] = [];
  let bytes = 0;
  for (const n of [...names.map((k) => lengths[k] * 8), ...intNames.map((k) => intLengths[k] * 4)]) {
    offsets.push(bytes);
    bytes += Math.ceil(n / 16) * 16;
  }
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES)
    throw new UsageError(
      `training needs ${(bytes / 2 ** 30).toFixed(1)} GiB of working memory, more than the 4 GiB the built-in trainer can address: train fewer parameters (fewer hash bits or classes)`,
    );
  const memory = new WebAssembly.Memory({ initial: pages });
  const e = new WebAssembly.Instance(compiled, { math, env: { memory } }).exports as unknown as Exports;
  const buffer = memory.buffer;
  const arrays = {} as Record<K, Float64Array>;
  names.forEach((name, i) => (arrays[name] = new Float64Array(buffer, offsets[i], lengths[name])));
  const ints = {} as Record<I, Int32Array>;
  intNames.forEach((name, i) => (ints[name] = new Int32Array(buffer, offsets[names.length + i], intLengths[name])));
  const at = (a: Float64Array | Int32Array, o = 0): number => {
    if (a.buffer !== buffer) throw new Error('wasm kernels take arrays of their own arena only');
    return a.byteOffset + o * a.BYTES_PER_ELEMENT;
  };
  return {
    arrays,
    ints,
    kernels: {
      dot: (a, ao, b, bo, m) => e.dot(at(a, ao), at(b, bo), m),
      axpy: (t, x, xo, y, yo, m) => e.axpy(t, at(x, xo), at(y, yo), m),
      multiply: (a, ao, b, bo, out, oo, m, s = 1) => e.multiply(at(a, ao), at(b, bo), at(out, oo), m, s),
      softmax: (z, stride, m, y, yo, k, max, sum, second) =>
        e.softmax(at(z), stride, m, at(y, yo), k, at(max), at(sum), second ? at(second) : 0, second ? 1 : 0),
      logistic: (z, m, y, yo, second) => e.logistic(at(z), m, at(y, yo), second ? at(second) : 0, second ? 1 : 0),
      squared: (z, m, y, yo, second) => e.squared(at(z), m, at(y, yo), second ? at(second) : 0, second ? 1 : 0),
      scores: (cols, theta, z, f, k, B, m) => e.scores(at(cols), at(theta), at(z), f, k, B, m),
      gradient: (cols, z, grad, f, k, B, m) => e.gradient(at(cols), at(z), at(grad), f, k, B, m),
      hessian: (hess, size, k, f, cols, second, q, B, m) =>
        e.hessian(at(hess), size, k, f, at(cols), at(second), at(q), B, m),
      finish: (theta, grad, hess, size, penalised, n, lambda) =>
        e.finish(
          at(theta),
          grad ? at(grad) : 0,
          grad ? 1 : 0,
          hess ? at(hess) : 0,
          hess ? 1 : 0,
          size,
          penalised,
          n,
          lambda,
        ),
      newtonStep: (H, g, d, p) => e.newtonStep(at(H), at(g), at(d), p),
      axpbyDot: (a, x, b, y, z) => e.axpbyDot(a, at(x), b, at(y), at(z), y.length),
      diffDots: (y, a, b, s) => e.diffDots(at(y), at(a), at(b), at(s), y.length),
      combine: (out, a, x, b, y) => e.combine(at(out), a, at(x), b, at(y), out.length),
      maxAbs: (x) => e.maxAbs(at(x), x.length),
      scoreColumns: (colptr, rows, values, d, k, theta, z, n) =>
        e.scoreColumns(at(colptr), at(rows), at(values), d, k, at(theta), at(z), n),
      gatherColumns: (colptr, rows, values, d, k, r, n, theta, lambda, grad) =>
        e.gatherColumns(at(colptr), at(rows), at(values), d, k, at(r), n, at(theta), lambda, at(grad)),
    },
  };
}
