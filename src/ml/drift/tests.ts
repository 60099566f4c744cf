/**
 * Evidently 0.7's per-column drift tests with their default thresholds:
 *  - `ks`: two-sample KS, drift if p <= 0.05
 *  - `chisquare`: goodness of fit of current counts against reference shares
 *    (f_exp = ref_count × n_cur / n_ref), drift if p < 0.05
 *  - `z`: two-proportion z-test on one category, drift if p < 0.05
 *  - `wasserstein`: Wasserstein-1 distance / max(population std of reference, 0.001), drift if >= 0.1
 *  - `jensenshannon`: JS distance (natural log) between binned shares, drift if >= 0.1
 *  - `psi`: Σ (r − c)·ln(r/c) over bins, empty bins filled, drift if >= 0.1
 */
import { chi2Sf, normSf } from '../special.js';
import { binnedShares, unionKeys, type Value } from './binning.js';
import { ks2samp } from './ks.js';

export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

export interface TestOutcome {
  method: DriftMethod;
  /** The test statistic (KS D, chi-square, z) or the distance / PSI value. */
  statistic: number;
  /** p-value for hypothesis tests; null for distances. */
  pvalue: number | null;
  threshold: number;
  drift: boolean;
}

export const DEFAULT_THRESHOLDS: Record<DriftMethod, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

export function runTest(
  method: DriftMethod,
  ref: Value[],
  cur: Value[],
  numeric: boolean,
  threshold = DEFAULT_THRESHOLDS[method],
): TestOutcome {
  switch (method) {
    case 'ks': {
      const r = ks2samp(ref as number[], cur as number[]);
      return { method, statistic: r.statistic, pvalue: r.pvalue, threshold, drift: r.pvalue <= threshold };
    }
    case 'chisquare': {
      const { statistic, pvalue } = chiSquare(ref, cur);
      return { method, statistic, pvalue, threshold, drift: pvalue < threshold };
    }
    case 'z': {
      const { statistic, pvalue } = zTest(ref, cur);
      return { method, statistic, pvalue, threshold, drift: pvalue < threshold };
    }
    case 'wasserstein': {
      const w = wasserstein(ref as number[], cur as number[]) / Math.max(populationStd(ref as number[]), 0.001);
      return { method, statistic: w, pvalue: null, threshold, drift: w >= threshold };
    }
    case 'jensenshannon': {
      const { ref: r, cur: c } = binnedShares(ref, cur, numeric, false);
      const js = jensenShannon(r, c);
      return { method, statistic: js, pvalue: null, threshold, drift: js >= threshold };
    }
    case 'psi': {
      const { ref: r, cur: c } = binnedShares(ref, cur, numeric, true);
      let psi = 0;
      for (let i = 0; i < r.length; i++) psi += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
      return { method, statistic: psi, pvalue: null, threshold, drift: psi >= threshold };
    }
  }
}

function counts(xs: Value[]): Map<Value, number> {
  const m = new Map<Value, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

export function chiSquare(ref: Value[], cur: Value[]): { statistic: number; pvalue: number } {
  const keys = unionKeys(ref, cur);
  const rc = counts(ref);
  const cc = counts(cur);
  const k = cur.length / ref.length;
  let stat = 0;
  for (const key of keys) {
    const e = (rc.get(key) ?? 0) * k;
    const o = cc.get(key) ?? 0;
    stat += e === 0 ? (o === 0 ? NaN : Infinity) : ((o - e) * (o - e)) / e;
  }
  if (Number.isNaN(stat)) return { statistic: NaN, pvalue: NaN };
  return { statistic: stat, pvalue: chi2Sf(stat, keys.length - 1) };
}

export function zTest(ref: Value[], cur: Value[]): { statistic: number; pvalue: number } {
  const keys = unionKeys(ref, cur);
  if (keys.length === 1) return { statistic: 0, pvalue: 1 };
  const target = keys[0];
  const n1 = ref.length;
  const n2 = cur.length;
  const p1 = ref.filter((v) => v === target).length / n1;
  const p2 = cur.filter((v) => v === target).length / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pvalue: 2 * normSf(Math.abs(z)) };
}

/** scipy.stats.wasserstein_distance for unweighted samples: ∫ |F1 − F2| over the pooled support. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  // Walk the merged sorted values once; between consecutive pooled values both ECDFs are constant.
  let i = 0;
  let j = 0;
  let total = 0;
  let prev = Math.min(x[0]!, y[0]!);
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    total += Math.abs(i / n1 - j / n2) * (v - prev);
    while (i < n1 && x[i]! === v) i++;
    while (j < n2 && y[j]! === v) j++;
    prev = v;
  }
  return total;
}

export function populationStd(xs: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i]!;
  mean /= xs.length;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - mean) * (xs[i]! - mean);
  return Math.sqrt(s / xs.length);
}

/** scipy.spatial.distance.jensenshannon(p, q) with natural log. */
export function jensenShannon(p: number[], q: number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    if (pi > 0) js += pi * Math.log(pi / m);
    if (qi > 0) js += qi * Math.log(qi / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}
