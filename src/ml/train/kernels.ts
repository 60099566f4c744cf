/**
 * Vector kernels of the optimizers (the objectives' inner loops run in WebAssembly:
 * wasm/kernels.wat). Each is one tight loop that V8 optimises on its own; `m` elements from the
 * given offsets. Sums run in four lanes (elements i mod 4): independent additions proceed in
 * parallel, about twice as fast as one running sum.
 */

/** Σ a[ao + i]·b[bo + i] for i < m. */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < m; i++) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1 + (s2 + s3);
}

/** The largest |x[i]|. */
export function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > m) m = v;
  }
  return m;
}
