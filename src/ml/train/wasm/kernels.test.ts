import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../datasets/random.js';
import { wasmArena } from './arena.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

// The loops the WebAssembly kernels replace, in plain JavaScript: the kernels must agree bit for bit.
function refSoftmax(
  z: Float64Array,
  stride: number,
  m: number,
  y: ArrayLike<number>,
  k: number,
  second?: Float64Array,
): number {
  const max = new Float64Array(m);
  const sum = new Float64Array(m);
  for (let r = 0; r < m; r++) max[r] = z[r]!;
  for (let c = 1; c < k; c++) for (let r = 0; r < m; r++) max[r] = Math.max(max[r]!, z[c * stride + r]!);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < m; r++) {
      const e = Math.exp(z[c * stride + r]! - max[r]!);
      z[c * stride + r] = e;
      sum[r] = sum[r]! + e;
    }
  }
  let loss = 0;
  for (let r = 0; r < m; r++) loss -= Math.log(z[y[r]! * stride + r]! / sum[r]!);
  for (let c = 0; c < k; c++) for (let r = 0; r < m; r++) z[c * stride + r] = z[c * stride + r]! / sum[r]!;
  if (second) {
    for (let c = 0, pair = 0; c < k; c++) {
      for (let c2 = c; c2 < k; c2++, pair++) {
        for (let r = 0; r < m; r++) {
          second[pair * stride + r] = -1 * z[c * stride + r]! * z[c2 * stride + r]!;
          if (c === c2) second[pair * stride + r] = second[pair * stride + r]! + 1 * z[c * stride + r]!;
        }
      }
    }
  }
  for (let r = 0; r < m; r++) z[y[r]! * stride + r] = z[y[r]! * stride + r]! - 1;
  return loss;
}

function refLogistic(z: Float64Array, m: number, y: ArrayLike<number>, second: Float64Array): number {
  let loss = 0;
  for (let r = 0; r < m; r++) {
    const s = z[r]!;
    loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - (y[r] === 1 ? s : 0);
    const p = 1 / (1 + Math.exp(-s));
    z[r] = p - y[r]!;
    second[r] = p * (1 - p);
  }
  return loss;
}

/** Σ a[ao + i]·b[bo + i] in four lanes (i mod 4, the tail in lane 0), as the optimizers' JavaScript did. */
function jsDot(a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
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

function random(seed: number, n: number, scale = 4): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (next() - 0.5) * 2 * scale);
}

describe('WebAssembly training kernels', () => {
  it('kernels-wasm.ts is the compiled kernels.wat', async () => {
    // @ts-expect-error plain .mjs script without types
    const { compileKernels } = (await import('../../../../scripts/build-wasm.mjs')) as {
      compileKernels(): Promise<string>;
    };
    expect(readFileSync(new URL('./kernels-wasm.ts', import.meta.url), 'utf8')).toBe(await compileKernels());
  });

  it('exp is Math.exp bit for bit: edge cases and 300,000 arguments across its range', () => {
    const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    const { exp } = new WebAssembly.Instance(module, {
      math: { log: Math.log, log1p: Math.log1p },
      env: { memory: new WebAssembly.Memory({ initial: 1 }) },
    }).exports as { exp(x: number): number };
    const edges = [
      0,
      -0,
      1,
      -1,
      0.5,
      1e-9,
      -1e-9,
      2 ** -30,
      Math.LN2 / 2,
      Math.LN2,
      -Math.LN2,
      1.5 * Math.LN2,
      709.78,
      709.782712893384,
      709.79,
      -708.4,
      -745.13,
      -745.14,
      -1e4,
      1e4,
      Infinity,
      -Infinity,
      NaN,
    ];
    const next = mulberry32(11);
    const sample = Array.from({ length: 300_000 }, (_, i) => (next() - 0.5) * [2, 60, 1500][i % 3]!);
    const differing = [...edges, ...sample].filter((x) => !Object.is(exp(x), Math.exp(x)));
    expect(differing).toEqual([]);
  });

  it('dot, axpy and multiply equal the JavaScript loops bit for bit, at every length and offset', () => {
    const { arrays, kernels } = wasmArena({ a: 64, b: 64, out: 64 });
    arrays.a.set(random(1, 64));
    arrays.b.set(random(2, 64));
    for (let m = 0; m <= 13; m++) {
      for (const [ao, bo] of [
        [0, 0],
        [1, 0],
        [3, 5],
      ] as const) {
        expect(kernels.dot(arrays.a, ao, arrays.b, bo, m)).toBe(jsDot(arrays.a, ao, arrays.b, bo, m));
        const before = Array.from(arrays.out);
        kernels.multiply(arrays.a, ao, arrays.b, bo, arrays.out, 7, m, -1.5);
        const expected = before.slice();
        for (let i = 0; i < m; i++) expected[7 + i] = -1.5 * arrays.a[ao + i]! * arrays.b[bo + i]!;
        expect(Array.from(arrays.out)).toEqual(expected); // nothing written past m
        const y = Array.from(arrays.out);
        kernels.axpy(0.3, arrays.a, ao, arrays.out, 2, m);
        for (let i = 0; i < m; i++) y[2 + i] = y[2 + i]! + 0.3 * arrays.a[ao + i]!;
        expect(Array.from(arrays.out)).toEqual(y);
      }
    }
  });

  it('the L-BFGS kernels equal the JavaScript loops bit for bit', () => {
    for (const n of [0, 1, 2, 3, 5, 8, 13, 101]) {
      const { arrays, kernels } = wasmArena({ x: n, y: n, z: n, out: n });
      const [x, y, z] = [random(n + 1, n), random(n + 2, n), random(n + 3, n)];
      arrays.x.set(x);
      arrays.y.set(y);
      arrays.z.set(z);
      // y ← b·y + a·x, then zᵀy in four lanes
      const lanes = [0, 0, 0, 0];
      const yNew = Array.from(y, (v, i) => 0.7 * v + -1.3 * x[i]!);
      const quads = n & ~3;
      yNew.forEach((v, i) => (lanes[i < quads ? i % 4 : 0]! += v * z[i]!));
      expect(kernels.axpbyDot(-1.3, arrays.x, 0.7, arrays.y, arrays.z)).toBe(
        lanes[0]! + lanes[1]! + (lanes[2]! + lanes[3]!),
      );
      expect(Array.from(arrays.y)).toEqual(yNew);
      // out ← a − b, with sᵀout and outᵀout in two lanes
      const diff = Array.from(x, (v, i) => v - z[i]!);
      const sy = [0, 0];
      const yy = [0, 0];
      const pairs = n & ~1;
      diff.forEach((v, i) => {
        sy[i < pairs ? i % 2 : 0]! += yNew[i]! * v;
        yy[i < pairs ? i % 2 : 0]! += v * v;
      });
      expect(kernels.diffDots(arrays.out, arrays.x, arrays.z, arrays.y)).toEqual([sy[0]! + sy[1]!, yy[0]! + yy[1]!]);
      expect(Array.from(arrays.out)).toEqual(diff);
      kernels.combine(arrays.out, 1, arrays.x, 0.25, arrays.z);
      expect(Array.from(arrays.out)).toEqual(Array.from(x, (v, i) => 1 * v + 0.25 * z[i]!));
      expect(kernels.maxAbs(arrays.z)).toBe(n === 0 ? 0 : Math.max(...Array.from(z, Math.abs)));
    }
  });

  it('the column objective kernels equal the JavaScript loops bit for bit', () => {
    // 40 rows × 9 columns, about a third filled, 3 classes; column 4 empty, some θ zero.
    const [n, d, k] = [40, 9, 3];
    const next = mulberry32(21);
    const colptr = [0];
    const rows: number[] = [];
    const values: number[] = [];
    for (let j = 0; j < d; j++) {
      for (let r = 0; r < n; r++) if (j !== 4 && next() < 0.33) (rows.push(r), values.push(next() * 2 - 1));
      colptr.push(rows.length);
    }
    const theta = random(22, (d + 1) * k);
    theta[3 * k + 1] = 0;
    const z0 = random(23, k * n);
    const { arrays, ints, kernels } = wasmArena(
      { values: values.length, theta: theta.length, z: k * n, grad: theta.length },
      { colptr: d + 1, rows: rows.length },
    );
    ints.colptr.set(colptr);
    ints.rows.set(rows);
    arrays.values.set(values);
    arrays.theta.set(theta);
    arrays.z.set(z0);
    kernels.scoreColumns(ints.colptr, ints.rows, arrays.values, d, k, arrays.theta, arrays.z, n);
    const z = Float64Array.from(z0);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const t = theta[j * k + c]!;
        if (t === 0) continue;
        for (let p = colptr[j]!; p < colptr[j + 1]!; p++) z[c * n + rows[p]!] = z[c * n + rows[p]!]! + t * values[p]!;
      }
    }
    expect(Array.from(arrays.z)).toEqual(Array.from(z));
    const reg = kernels.gatherColumns(
      ints.colptr,
      ints.rows,
      arrays.values,
      d,
      k,
      arrays.z,
      n,
      arrays.theta,
      0.01,
      arrays.grad,
    );
    const grad = new Float64Array(theta.length);
    let expectedReg = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = colptr[j]!; p < colptr[j + 1]!; p++) s += z[c * n + rows[p]!]! * values[p]!;
        grad[j * k + c] = s + 0.01 * theta[j * k + c]!;
        expectedReg += theta[j * k + c]! ** 2;
      }
    }
    expect(reg).toBe(expectedReg);
    expect(Array.from(arrays.grad)).toEqual(Array.from(grad)); // the biases' entries (after d·K) untouched
  });

  it('the softmax loss equals the JavaScript computation: loss, gradient and second derivatives', () => {
    const k = 4;
    const stride = 37;
    const m = 33; // a block shorter than its stride
    const next = mulberry32(9);
    const labels = Array.from({ length: 50 }, () => Math.floor(next() * k));
    const { arrays, kernels } = wasmArena({ z: k * stride, y: 50, max: stride, sum: stride, second: 10 * stride });
    arrays.y.set(labels);
    const z0 = random(3, k * stride, 30); // large scores: the max shift must keep exp finite
    arrays.z.set(z0);
    const start = 5;
    const loss = kernels.softmax(arrays.z, stride, m, arrays.y, start, k, arrays.max, arrays.sum, arrays.second);
    const z = Float64Array.from(z0);
    const second = new Float64Array(10 * stride);
    const expected = refSoftmax(z, stride, m, labels.slice(start), k, second);
    expect(loss).toBe(expected);
    expect(Number.isFinite(loss)).toBe(true);
    expect(Array.from(arrays.z)).toEqual(Array.from(z));
    expect(Array.from(arrays.second)).toEqual(Array.from(second));
    // Without second derivatives the array is left alone.
    arrays.second.fill(7);
    arrays.z.set(z0);
    expect(kernels.softmax(arrays.z, stride, m, arrays.y, start, k, arrays.max, arrays.sum)).toBe(expected);
    expect(arrays.second.every((v) => v === 7)).toBe(true);
  });

  it('the binary log loss and the squared error equal the JavaScript computation', () => {
    const m = 41;
    const next = mulberry32(4);
    const labels = Array.from({ length: m }, () => (next() < 0.4 ? 1 : 0));
    const { arrays, kernels } = wasmArena({ z: m, y: m, second: m, t: m });
    const z0 = random(5, m, 40); // both sides of 0, far out
    arrays.z.set(z0);
    arrays.y.set(labels);
    const loss = kernels.logistic(arrays.z, m, arrays.y, 0, arrays.second);
    const z = Float64Array.from(z0);
    const second = new Float64Array(m);
    expect(loss).toBe(refLogistic(z, m, labels, second));
    expect(Array.from(arrays.z)).toEqual(Array.from(z));
    expect(Array.from(arrays.second)).toEqual(Array.from(second));

    const targets = random(6, m);
    arrays.t.set(targets);
    arrays.z.set(z0);
    let expected = 0;
    for (let r = 0; r < m; r++) {
      const e = z0[r]! - targets[r]!;
      expected += 0.5 * e * e;
    }
    expect(kernels.squared(arrays.z, m, arrays.t, 0, arrays.second)).toBe(expected);
    expect(Array.from(arrays.z)).toEqual(Array.from(z0, (v, r) => v - targets[r]!));
    expect(arrays.second.every((v) => v === 1)).toBe(true);
  });

  it('takes only arrays of its own arena', () => {
    const { arrays, kernels } = wasmArena({ a: 8 });
    expect(() => kernels.dot(arrays.a, 0, new Float64Array(8), 0, 8)).toThrow(/own arena/);
    const other = wasmArena({ a: 8 });
    expect(() => kernels.axpy(1, other.arrays.a, 0, arrays.a, 0, 8)).toThrow(/own arena/);
  });

  it('refuses working memory past the 4 GiB a wasm32 memory can address, saying what to change', () => {
    expect(() => wasmArena({ w: 2 ** 28, history: 2 ** 28 + 8 })).toThrow(
      /4\.0 GiB of working memory.*fewer parameters/,
    );
  });

  it('sizes its memory for the arrays asked for (beyond one 64 KiB page)', () => {
    const { arrays, kernels } = wasmArena({ a: 20_000, b: 20_000 });
    arrays.a.fill(1);
    arrays.b.fill(2);
    expect(kernels.dot(arrays.a, 0, arrays.b, 0, 20_000)).toBe(40_000);
    expect(arrays.b.byteOffset).toBe(160_000);
  });
});
