/**
 * The losses of the linear models: which one, with the rows' targets. They are evaluated on a
 * block of rows at a time by the WebAssembly kernels (wasm/kernels.wat), on scores stored
 * class-major: class c of row r at `z[c·stride + r]`. A block's evaluation returns the summed loss
 * of rows start..start+m, replaces each score by the loss's derivative by it and, when `second`
 * is given, writes the second derivatives for every class pair c ≤ c2 at `second[pair·stride + r]`
 * (pairs ordered (0,0), (0,1), …, (1,1), …).
 */
import { wasmArena, type Kernels } from './wasm/arena.js';

export type Loss =
  /** Multinomial log loss −log softmax(z)[y] over k classes. */
  | { kind: 'softmax'; k: number; y: Int32Array }
  /** Binary log loss log(1 + e^z) − y·z, y ∈ {0, 1}. */
  | { kind: 'logistic'; k: 1; y: Int32Array }
  /** Squared error / 2. */
  | { kind: 'squared'; k: 1; y: Float64Array };

export const softmaxLoss = (y: Int32Array, k: number): Loss => ({ kind: 'softmax', k, y });
export const logisticLoss = (y: Int32Array): Loss => ({ kind: 'logistic', k: 1, y });
export const squaredLoss = (y: Float64Array): Loss => ({ kind: 'squared', k: 1, y });

/** The loss of rows start..start+m (see above). */
export type BlockLoss = (z: Float64Array, stride: number, m: number, start: number, second?: Float64Array) => number;

/**
 * A wasm arena holding the caller's arrays (float64, and int32 ones), the loss's targets and its
 * scratch for blocks of up to B rows; the loss as a function of one block whose scores (and
 * second derivatives) are in it.
 */
export function lossArena<K extends string, I extends string = never>(
  loss: Loss,
  B: number,
  lengths: Record<K, number>,
  intLengths = {} as Record<I, number>,
): { arrays: Record<K, Float64Array>; ints: Record<I, Int32Array>; kernels: Kernels; block: BlockLoss } {
  const scratch = loss.kind === 'softmax' ? B : 0;
  const { arrays, ints, kernels } = wasmArena<K | 'targets' | 'max' | 'sum', I>(
    { ...lengths, targets: loss.y.length, max: scratch, sum: scratch },
    intLengths,
  );
  const { targets: y, max, sum } = arrays;
  y.set(loss.y);
  const block: BlockLoss =
    loss.kind === 'softmax'
      ? (z, stride, m, start, second) => kernels.softmax(z, stride, m, y, start, loss.k, max, sum, second)
      : loss.kind === 'logistic'
        ? (z, _stride, m, start, second) => kernels.logistic(z, m, y, start, second)
        : (z, _stride, m, start, second) => kernels.squared(z, m, y, start, second);
  return { arrays, ints, kernels, block };
}
